/**
 * What Chorus Pro offers an account for works documents, asked at run time (docs/chorus-pro-notes.md, "Transverses and
 * engagements"): the billing frames of `FACTURE_TRAVAUX` (`recuperer/cadrefacturation`) and the flux formats
 * (`recuperer/formatflux`). The E4/E5 `syntaxeFlux` codes of works fluxes are unconfirmed and not in the Swagger's
 * `deposer/flux` enum, so a works document is deposited with its own (E1 or E2) `syntaxeFlux`; what was offered is
 * recorded beside what was used.
 */
import type { ChorusClient, TechnicalAccount } from './client.js';

export interface WorksOffer {
  /** Frame prefixes (A4, A7...) */
  frames: string[];
  /** `formatFlux` values as listed (IN_DP_E1_STRUCT...) */
  formats: string[];
}

const prefixOf = (code: string) => /^(A\d{1,2})(_|$)/.exec(code)?.[1] ?? null;

export async function worksOffer(client: ChorusClient, account: TechnicalAccount): Promise<WorksOffer> {
  const frames = await client.call('recupererCadreFacturation', account, { typeDemandePaiement: 'FACTURE_TRAVAUX' });
  const formats = await client.call('recupererFormatFlux', account, {});
  return {
    frames: frames.listeCadreFacturation
      .map((f) => prefixOf(f.codeCadreFacturation ?? ''))
      .filter((f): f is string => f !== null),
    formats: formats.listeFormatFlux.map((f) => f.formatFlux ?? '').filter(Boolean),
  };
}
