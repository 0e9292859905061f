/**
 * Our Chorus Pro schemas against the official Swagger definitions. A request schema must declare exactly
 * the Swagger's properties, with the same types and enums (the simulator refuses anything else, so our
 * client cannot drift). A response schema may read a subset, each with the Swagger's type.
 */
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { CADRES_FACTURATION, INVOICE_TYPES, SYNTAXE_FLUX } from '../../src/chorus/codes.js';
import { SYNTAXE_FLUX_ANSWERED } from '../../src/chorus/contract/vocabulary.js';
import { ENDPOINTS } from '../../src/chorus/contract/endpoints.js';
import { INVOICE_STATUSES } from '../../src/chorus/statuses.js';
import { ANSWER_FIELDS, type Fields } from '../../src/simulator/answer-fields.js';
import { resolve, SWAGGER_DEFINITIONS, type SwaggerSchema } from '../helpers/swagger.js';

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  format?: string;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

/** Our schema's type for a property, looking through nullish/optional wrappers. */
function core(schema: JsonSchema): JsonSchema {
  const options = schema.anyOf ?? schema.oneOf;
  if (options) {
    const nonNull = options.filter((o) => o.type !== 'null');
    if (nonNull.length >= 1) return core(nonNull[0]!);
  }
  if (Array.isArray(schema.type)) {
    const type = schema.type.find((t) => t !== 'null');
    return type === undefined ? schema : { ...schema, type };
  }
  return schema;
}

function compare(ours: JsonSchema, official: SwaggerSchema, path: string, exact: boolean): string[] {
  const o = core(ours);
  const s = resolve(official);
  const officialType = s.type ?? (s.properties ? 'object' : undefined);
  const problems: string[] = [];
  if (officialType === 'object' || s.properties) {
    const props = s.properties ?? {};
    const mine = o.properties ?? {};
    for (const key of Object.keys(mine)) {
      if (!props[key]) problems.push(`${path}.${key}: not in the Swagger`);
      else problems.push(...compare(mine[key]!, props[key], `${path}.${key}`, exact));
    }
    if (exact && o.properties) {
      for (const key of Object.keys(props))
        if (!(key in mine)) problems.push(`${path}.${key}: in the Swagger but not declared`);
    }
    return problems;
  }
  if (officialType === 'array') {
    // Our tolerant lists (single object accepted) still declare an array.
    if (o.type !== 'array') return [`${path}: Swagger says array, ours is ${String(o.type)}`];
    return compare(o.items ?? {}, s.items ?? {}, `${path}[]`, exact);
  }
  if (officialType && o.type && o.type !== officialType)
    problems.push(`${path}: Swagger says ${officialType}, ours is ${String(o.type)}`);
  if (s.enum && exact) {
    const mine = (o.enum ?? []).map(String).sort();
    if (JSON.stringify(mine) !== JSON.stringify([...s.enum].sort()))
      problems.push(`${path}: enum differs from the Swagger's ${s.enum.length} values`);
  }
  return problems;
}

const withSwagger = Object.entries(ENDPOINTS).filter(([, e]) => e.swagger !== null);

describe('Chorus Pro contract: our schemas match the official Swagger', () => {
  it.each(withSwagger)('%s request declares exactly the Swagger definition', (_name, endpoint) => {
    const definition = SWAGGER_DEFINITIONS[endpoint.swagger!.request];
    expect(definition, endpoint.swagger!.request).toBeDefined();
    const ours = z.toJSONSchema(endpoint.request, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    expect(compare(ours, definition!, endpoint.swagger!.request, true)).toEqual([]);
  });

  it.each(withSwagger)('%s response reads only Swagger fields, with their types', (_name, endpoint) => {
    const definition = SWAGGER_DEFINITIONS[endpoint.swagger!.response];
    expect(definition, endpoint.swagger!.response).toBeDefined();
    const ours = z.toJSONSchema(endpoint.response, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    expect(compare(ours, definition!, endpoint.swagger!.response, false)).toEqual([]);
  });

  /** The properties of a Swagger definition and their nesting, as the simulator's table writes them. */
  const declared = (schema: SwaggerSchema, depth = 0): Fields | [Fields | null] | null => {
    const s = resolve(schema);
    if (depth > 8) return null;
    if (s.type === 'array') return [declared(s.items ?? {}, depth + 1) as Fields | null] as [Fields | null];
    if (s.type === 'object' || s.properties)
      return Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, p]) => [k, declared(p, depth + 1)]));
    return null;
  };

  it.each(withSwagger)(
    '%s: the simulator writes every property of the Swagger answer, nested as there',
    (name, endpoint) => {
      expect(ANSWER_FIELDS[name as keyof typeof ANSWER_FIELDS]).toEqual(
        declared({ $ref: `#/definitions/${endpoint.swagger!.response}` }),
      );
    },
  );

  const enumOf = (definition: string, property: string): string[] => {
    const values = SWAGGER_DEFINITIONS[definition]?.properties?.[property]?.enum;
    if (!values) throw new Error(`${definition}.${property} has no enum in the official Swagger`);
    return [...values].sort();
  };

  it('syntaxeFlux values are the DeposerFluxFactureParam enum', () => {
    expect([...SYNTAXE_FLUX].sort()).toEqual(enumOf('DeposerFluxFactureParam', 'syntaxeFlux'));
  });

  it('the syntaxeFlux deposer/flux answers with (what the simulator sends back) is the WsRetourDeposerFluxFacture enum', () => {
    expect([...SYNTAXE_FLUX_ANSWERED].sort()).toEqual(enumOf('WsRetourDeposerFluxFacture', 'syntaxeFlux'));
    expect(SYNTAXE_FLUX_ANSWERED).toHaveLength(11);
  });

  it('invoice types are the RechercherDemandePaiementParam.typeFacture enum', () => {
    expect([...INVOICE_TYPES].sort()).toEqual(enumOf('RechercherDemandePaiementParam', 'typeFacture'));
  });

  it('billing frames are the cadreFacturation enum, A1 to A25', () => {
    expect([...CADRES_FACTURATION].sort()).toEqual(enumOf('RechercherFactureParValideurParam', 'cadreFacturation'));
    expect(CADRES_FACTURATION).toHaveLength(25);
  });

  it('knows every invoice status of the official enum', () => {
    const official = SWAGGER_DEFINITIONS.WsRetourConsulterHistoriqueFacture?.properties?.statutCourantCode?.enum ?? [];
    expect(official.length).toBeGreaterThan(50);
    expect([...INVOICE_STATUSES].sort()).toEqual([...official].sort());
  });

  it('would notice a drift: a misspelt field and a wrong enum are reported', () => {
    const drifted = z
      .strictObject({ nomFichierr: z.string(), syntaxeFlux: z.enum(['IN_DP_E2_CII_FACTURX']) })
      .partial();
    const problems = compare(
      z.toJSONSchema(drifted, { io: 'input' }) as JsonSchema,
      SWAGGER_DEFINITIONS.DeposerFluxFactureParam!,
      'x',
      true,
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'x.nomFichierr: not in the Swagger',
        "x.syntaxeFlux: enum differs from the Swagger's 13 values",
        'x.nomFichier: in the Swagger but not declared',
      ]),
    );
  });
});
