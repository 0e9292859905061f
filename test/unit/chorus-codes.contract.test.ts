/**
 * Our Chorus Pro codes against the official Swagger in ../shared: if either side drifts, this fails.
 * The Swagger is read from the shared reference folder, never copied into the project.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CADRES_FACTURATION, INVOICE_TYPES, SYNTAXE_FLUX } from '../../src/chorus/codes.js';

const swaggerPath = fileURLToPath(new URL('../../../shared/reference/chorus-pro/swagger-factures.json', import.meta.url));
const swagger = JSON.parse(readFileSync(swaggerPath, 'utf8')) as {
  definitions: Record<string, { properties?: Record<string, { enum?: string[] }> }>;
};
const enumOf = (definition: string, property: string): string[] => {
  const values = swagger.definitions[definition]?.properties?.[property]?.enum;
  if (!values) throw new Error(`${definition}.${property} has no enum in the official Swagger`);
  return values;
};

describe('Chorus codes match the official Swagger', () => {
  it('syntaxeFlux is the DeposerFluxFactureParam enum', () => {
    expect([...SYNTAXE_FLUX].sort()).toEqual(enumOf('DeposerFluxFactureParam', 'syntaxeFlux').sort());
  });

  it('invoice types are the RechercherDemandePaiementParam.typeFacture enum', () => {
    expect([...INVOICE_TYPES].sort()).toEqual(enumOf('RechercherDemandePaiementParam', 'typeFacture').sort());
  });

  it('billing frames are the RechercherFactureParValideurParam.cadreFacturation enum (A1 to A25)', () => {
    expect([...CADRES_FACTURATION].sort()).toEqual(enumOf('RechercherFactureParValideurParam', 'cadreFacturation').sort());
    expect(CADRES_FACTURATION).toHaveLength(25);
  });
});
