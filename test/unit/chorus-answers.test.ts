/**
 * Our reading of Chorus Pro's answers against production's way of writing them: every property of the official
 * Swagger definition may come as `null` (the Java backend writes every property it declares) or not at all. For each
 * response definition our endpoints use, an answer is built from the Swagger alone (every property, with a value of its
 * type, lists of one item), then each property in turn, at every depth, is set to `null`, then left out, and every
 * object's properties are all set to `null` at once: our schema must read each one. A list item that loses what we
 * need may be skipped, and is then reported (naming the property), never the whole answer.
 */
import { describe, expect, it } from 'vitest';
import { unreadableItems } from '../../src/chorus/contract/common.js';
import { ENDPOINTS, type EndpointName } from '../../src/chorus/contract/endpoints.js';
import { resolve, type SwaggerSchema } from '../helpers/swagger.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A value for every property of the Swagger schema, of its type (first enum value, a date-time for date-times). */
function sampleOf(schema: SwaggerSchema, depth = 0): Json {
  const s = resolve(schema);
  const type = s.type ?? (s.properties ? 'object' : undefined);
  if (depth > 8) return null;
  switch (type) {
    case 'object':
      return Object.fromEntries(
        Object.entries(s.properties ?? {}).map(([key, property]) => [key, sampleOf(property, depth + 1)]),
      );
    case 'array':
      return [sampleOf(s.items ?? {}, depth + 1)];
    case 'integer':
      return 7;
    case 'number':
      return 12.5;
    case 'boolean':
      return true;
    case 'string':
      return s.enum?.[0] ?? (s.format === 'date-time' ? '2026-12-01T10:00:00.000+01:00' : 'texte');
    default:
      return 'texte';
  }
}

type Path = Array<string | number>;

/** Every property's path in a value, at every depth (a list's item is index 0). */
function propertyPaths(value: Json, at: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => propertyPaths(item, [...at, i]));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) => [[...at, key], ...propertyPaths(v, [...at, key])]);
}

/** Every object in a value, by path. */
function objectPaths(value: Json, at: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => objectPaths(item, [...at, i]));
  if (value === null || typeof value !== 'object') return [];
  return [at, ...Object.entries(value).flatMap(([key, v]) => objectPaths(v, [...at, key]))];
}

function changed(value: Json, path: Path, change: (parent: Record<string, Json>, key: string) => void): Json {
  const copy = structuredClone(value);
  let parent = copy as Record<string | number, Json>;
  for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, Json>;
  change(parent, String(path.at(-1)));
  return copy;
}

/** The length of every list in a value, by its path (`listeFactures`, `historiquesDesStatuts.histoStatut`). */
function listLengths(value: unknown, path = '', into = new Map<string, number>()): Map<string, number> {
  if (Array.isArray(value)) {
    into.set(path, value.length);
    value.forEach((item, i) => listLengths(item, `${path}[${i}]`, into));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) listLengths(v, path ? `${path}.${key}` : key, into);
  }
  return into;
}

const withSwagger = (Object.entries(ENDPOINTS) as Array<[EndpointName, (typeof ENDPOINTS)[EndpointName]]>).filter(
  ([, e]) => e.swagger !== null,
);

/**
 * Reads `answer` with the endpoint's schema: it must be read, and whatever it does not keep of the lists must be
 * reported as unreadable items naming `property` (the one the variant changed).
 */
function expectRead(name: EndpointName, answer: Json, property: string, label: string): void {
  const parsed = ENDPOINTS[name].response.safeParse(answer);
  expect(
    parsed.success,
    `${name}, ${label}: ${parsed.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') ?? ''}`,
  ).toBe(true);
  const skipped = unreadableItems(parsed.data);
  for (const item of skipped) expect(item.problem, `${name}, ${label}`).toContain(property);
  // Nothing vanishes unreported: each list sent keeps its items but those reported (lists inside a skipped item aside).
  const kept = listLengths(parsed.data);
  for (const [list, sent] of listLengths(answer)) {
    if (skipped.some((s) => list.startsWith(`${s.list}[${s.index}]`))) continue;
    const reported = skipped.filter((s) => s.list === list).length;
    expect((kept.get(list) ?? 0) + reported, `${name}, ${label}: list ${list}`).toBe(sent);
  }
}

describe('Chorus Pro answers as production writes them', () => {
  it.each(withSwagger)(
    '%s: an answer with every property of its Swagger definition is read whole',
    (_name, endpoint) => {
      const answer = sampleOf({ $ref: `#/definitions/${endpoint.swagger!.response}` });
      const parsed = endpoint.response.safeParse(answer);
      expect(parsed.success, JSON.stringify(parsed.error?.issues.slice(0, 3))).toBe(true);
      expect(unreadableItems(parsed.data)).toEqual([]);
    },
  );

  it.each(withSwagger)('%s: each property null, then missing, at every depth, is read', (name, endpoint) => {
    const answer = sampleOf({ $ref: `#/definitions/${endpoint.swagger!.response}` });
    const paths = propertyPaths(answer);
    expect(paths.length).toBeGreaterThan(0);
    for (const path of paths) {
      const property = String(path.at(-1));
      expectRead(
        name,
        changed(answer, path, (parent, key) => (parent[key] = null)),
        property,
        `${path.join('.')} null`,
      );
      expectRead(
        name,
        changed(answer, path, (parent, key) => delete parent[key]),
        property,
        `${path.join('.')} missing`,
      );
    }
  });

  it.each(withSwagger)('%s: every object with all its properties null is read', (name, endpoint) => {
    const answer = sampleOf({ $ref: `#/definitions/${endpoint.swagger!.response}` });
    for (const path of objectPaths(answer)) {
      const nulled = (target: Record<string, Json>) => {
        for (const key of Object.keys(target)) target[key] = null;
      };
      const variant =
        path.length === 0
          ? changed(answer, ['_'], (parent) => nulled(parent))
          : changed(answer, [...path, '_'], (parent) => nulled(parent));
      const parsed = ENDPOINTS[name].response.safeParse(variant);
      expect(parsed.success, `${name}, ${path.join('.') || '(root)'} all null`).toBe(true);
    }
  });

  it('a list item without what we need is skipped and reported, its neighbours read (rechercher/fournisseur)', () => {
    const item = (id: number, statut: string | null) => ({
      identifiantFactureCPP: id,
      numeroFacture: `F-${id}`,
      numeroFluxDepot: null,
      statut,
      dateDepot: null,
    });
    const parsed = ENDPOINTS.rechercherFactureParFournisseur.response.parse({
      codeRetour: 0,
      libelle: 'GCU_MSG_01_000',
      parametresRetour: null,
      listeFactures: [item(1, 'MISE_A_DISPOSITION'), item(2, null), item(3, 'REJETEE')],
    });
    expect(parsed.listeFactures.map((f) => f.identifiantFactureCPP)).toEqual([1, 3]);
    expect(parsed.listeFactures[0]!.numeroFluxDepot).toBeUndefined();
    const skipped = unreadableItems(parsed);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({ list: 'listeFactures', index: 1, item: item(2, null) });
    expect(skipped[0]!.problem).toMatch(/^statut: /);
  });

  it('a list item deep in an answer is reported with its path (consulter/historique)', () => {
    const parsed = ENDPOINTS.consulterHistoriqueFacture.response.parse({
      codeRetour: 0,
      libelle: 'GCU_MSG_01_000',
      historiquesDesStatuts: {
        histoStatut: [{ histoStatutCode: 'DEPOSEE', histoStatutDatePassage: null }, { histoStatutCode: null }],
      },
    });
    expect(parsed.historiquesDesStatuts?.histoStatut).toEqual([
      { histoStatutCode: 'DEPOSEE', histoStatutDatePassage: undefined },
    ]);
    expect(unreadableItems(parsed)).toEqual([
      expect.objectContaining({ list: 'historiquesDesStatuts.histoStatut', index: 1 }),
    ]);
  });

  it('a field we read that comes with another type reads as absent; unknown fields are kept', () => {
    const parsed = ENDPOINTS.consulterCRDetaille.response.parse({
      codeRetour: 0,
      libelle: null,
      etatCourantDepotFlux: 'IN_INTEGRE',
      dateDepotFlux: 20261201,
      listeErreurDP: null,
      champNouveau: 'gardé',
    });
    expect(parsed).toMatchObject({
      codeRetour: 0,
      etatCourantDepotFlux: 'IN_INTEGRE',
      listeErreurDP: [],
      listeErreurTechnique: [],
      champNouveau: 'gardé',
    });
    expect(parsed.dateDepotFlux).toBeUndefined();
    expect(parsed.libelle).toBeUndefined();
  });

  it('requests stay strict: a null or an unknown field is refused before sending', () => {
    expect(ENDPOINTS.deposerFlux.request.safeParse({ nomFichier: null }).success).toBe(false);
    expect(ENDPOINTS.deposerFlux.request.safeParse({ nomFichier: 'f.xml', inconnu: 1 }).success).toBe(false);
  });
});
