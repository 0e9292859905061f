/**
 * /openapi.json as tools expect it (issue 15): clean under Redocly's recommended rules, an operationId on every
 * operation (client generators name their methods with it), and every query parameter a route accepts declared.
 */
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { describe, expect, it } from 'vitest';
import { ROLE_NEEDED } from '../../src/access/roles.js';
import { buildOpenApiDocument } from '../../src/http/openapi.js';
import { openApiPath, ROUTES } from '../../src/http/routes.js';

type Operation = {
  operationId?: string;
  parameters?: Array<{ name: string; in: string }>;
  responses: Record<string, unknown>;
};
const doc = buildOpenApiDocument('0.1.0') as { paths: Record<string, Record<string, Operation>> };
const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, operation]) => ({ key: `${method.toUpperCase()} ${path}`, operation })),
);

describe('the OpenAPI document', () => {
  it("is clean under Redocly's recommended rules: no error, no warning", async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: 'openapi.json', config });
    expect(problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? '?'}`)).toEqual(
      [],
    );
  });

  it('names every operation once, and answers 4xx on each', () => {
    const ids = operations.map((o) => o.operation.operationId);
    expect(ids.filter((id) => !id)).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(
      operations
        .filter((o) => !Object.keys(o.operation.responses).some((status) => /^4\d\d$/.test(status)))
        .map((o) => o.key),
    ).toEqual([]);
  });

  it('declares the query parameters the routes accept', () => {
    const query = (key: string) =>
      (operations.find((o) => o.key === key)?.operation.parameters ?? [])
        .filter((p) => p.in === 'query')
        .map((p) => p.name);
    expect(query('GET /v1/subscriptions')).toEqual(['supplierSiret']);
    expect(query('GET /v1/subscriptions/{id}/deliveries')).toEqual(['limit']);
    expect(query('GET /v1/stats')).toEqual(['supplierSiret', 'marketNumber']);
    expect(query('GET /v1/audit')).toEqual(expect.arrayContaining(['limit', 'before']));
    expect(query('GET /v1/invoices')).toEqual(
      expect.arrayContaining(['stage', 'needsAction', 'supplierSiret', 'marketNumber', 'sort', 'limit', 'cursor']),
    );
  });

  it('answers 403 on every route a role may be refused, and 404 on every route that reads an id', () => {
    for (const route of ROUTES) {
      const key = `${route.method.toUpperCase()} ${openApiPath(route)}`;
      const responses = Object.keys(operations.find((o) => o.key === key)!.operation.responses);
      // Every role below the one the route needs is refused: only the reader's routes refuse no role.
      expect([key, responses.includes('403')]).toEqual([key, ROLE_NEEDED[route.permission] !== 'reader']);
      // An id in the path may name nothing; elsewhere 404 only where the route says (a query naming a supplier).
      expect([key, responses.includes('404')]).toEqual([
        key,
        openApiPath(route).includes('{id}') || route.refusals.includes(404),
      ]);
      expect([key, responses.includes('401')]).toEqual([key, true]);
    }
    expect(operations).toHaveLength(ROUTES.length);
  });
});
