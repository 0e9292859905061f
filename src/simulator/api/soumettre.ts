/**
 * Invoices without a flux: `deposer/pdf` (a plain PDF, read by the OCR stand-in, kept as an attachment until
 * submitted) and `soumettre` in its three modes. The simulator's own rules: a data invoice's lines must add up to
 * its totals (each line rounded to the cent), the VAT lines to the VAT total, HT + TVA to TTC; then the rules of
 * a flux's invoices (structures, service, engagement, unique number). No flux: the answer carries the invoice.
 */
import { BUSINESS_ERRORS, BusinessError } from '../business-errors.js';
import { isoParis } from '../clock.js';
import { readPrintedFields } from '../files/ocr.js';
import type { SimInvoiceData } from '../model.js';
import { decodeFile } from './factures.js';
import { objectOf, ok, textOf, type ApiContext, type Body, type Handlers } from './answers.js';

const cents = (value: unknown): number => Math.round((typeof value === 'number' ? value : Number(value ?? 0)) * 100);
const euros = (c: number) => (c / 100).toFixed(2);
const listOfObjects = (value: unknown): Body[] => (Array.isArray(value) ? value.map(objectOf) : []);

/** Each line's amount rounded half-up to the cent, then summed; the totals must match to the cent. */
function checkTotals(body: Body, mode: string): void {
  const totals = objectOf(body.montantTotal);
  const [ht, tva, ttc] = [cents(totals.montantHtTotal), cents(totals.montantTVA), cents(totals.montantTtcTotal)];
  const refuse = (detail: string) => {
    throw new BusinessError(BUSINESS_ERRORS.soumettre.totalsInconsistent, detail);
  };
  if (ht + tva !== ttc)
    refuse(`Le montant TTC ${euros(ttc)} n'est pas la somme du HT ${euros(ht)} et de la TVA ${euros(tva)}.`);
  const vatLines = listOfObjects(body.ligneTva);
  if (vatLines.length > 0) {
    const bases = vatLines.reduce((sum, l) => sum + cents(l.ligneTvaMontantBaseHtParTaux), 0);
    const vats = vatLines.reduce((sum, l) => sum + cents(l.ligneTvaMontantTvaParTaux), 0);
    if (bases !== ht) refuse(`La somme des bases HT par taux (${euros(bases)}) diffère du montant HT ${euros(ht)}.`);
    if (vats !== tva) refuse(`La somme de la TVA par taux (${euros(vats)}) diffère du montant de TVA ${euros(tva)}.`);
  }
  if (mode !== 'SAISIE_API') return;
  const lines = listOfObjects(body.lignePoste);
  if (lines.length === 0) throw new BusinessError(BUSINESS_ERRORS.soumettre.linesRequired);
  const linesHt = lines.reduce(
    (sum, l) =>
      sum +
      Math.round(Number(l.lignePosteQuantite ?? 0) * Number(l.lignePosteMontantUnitaireHT ?? 0) * 100) -
      cents(l.lignePosteMontantRemiseHT),
    0,
  );
  if (linesHt !== ht) refuse(`La somme des lignes de poste (${euros(linesHt)}) diffère du montant HT ${euros(ht)}.`);
}

export function soumettreApi(ctx: ApiContext): Handlers {
  const { world, engine } = ctx;
  return {
    deposerPdf: async (account, body) => {
      const bytes = decodeFile(body.fichierFacture, BUSINESS_ERRORS.deposerPdf);
      let read: SimInvoiceData;
      try {
        read = await readPrintedFields(bytes);
      } catch {
        throw new BusinessError(BUSINESS_ERRORS.deposerPdf.notPdf);
      }
      const id = world.addAttachment(account.login, textOf(body.nomFichier) ?? 'facture.pdf', bytes.length, read);
      const money = (value: string | null) => (value === null ? 0 : Number(value));
      // The Swagger lists every field as required: what the OCR could not read comes back empty.
      return {
        numeroFacture: read.number ?? '',
        dateFacture: read.issueDate ?? '',
        codeDestinataire: read.recipientSiret ?? '',
        codeServiceExecutant: read.serviceCode ?? '',
        codeFournisseur: read.supplierSiret ?? '',
        codeDeviseFacture: read.currency ?? '',
        typeFacture: 'FACTURE',
        typeTva: 'TVA_SUR_DEBIT',
        numeroBonCommande: read.engagementNumber ?? '',
        montantTtcAvantRemiseGlobalTTC: money(read.amountWithVat),
        montantAPayer: money(read.amountWithVat),
        montantHtTotal: money(read.amountWithoutVat),
        montantTVA: money(read.vatAmount),
        pieceJointeId: id,
      };
    },
    soumettre: (account, body) => {
      const mode = textOf(body.modeDepot) ?? '';
      if (mode !== 'SAISIE_API') {
        const main = objectOf(body.pieceJointePrincipale);
        const pdf = world.attachments.get(Number(main.pieceJointePrincipaleId));
        if (!pdf?.reading || pdf.login !== account.login) throw new BusinessError(BUSINESS_ERRORS.soumettre.unknownPdf);
      }
      const attached = (
        Array.isArray(body.pieceJointeComplementaire) ? (body.pieceJointeComplementaire as unknown[]) : []
      ).map((a) => Number(objectOf(a).pieceJointeComplementaireId));
      if (attached.some((id) => world.attachments.get(id)?.login !== account.login))
        throw new BusinessError(BUSINESS_ERRORS.soumettre.unknownAttachment);
      checkTotals(body, mode);
      const destinataire = objectOf(body.destinataire);
      const references = objectOf(body.references);
      const totals = objectOf(body.montantTotal);
      const frame = objectOf(body.cadreDeFacturation);
      const supplier = world.structureById(Number(objectOf(body.fournisseur).idFournisseur));
      const data: SimInvoiceData = {
        syntax: 'SOUMETTRE',
        number: textOf(body.numeroFactureSaisi),
        issueDate: textOf(body.dateFacture)?.slice(0, 10) ?? null,
        typeCode: references.typeFacture === 'AVOIR' ? '381' : '380',
        supplierSiret: supplier?.siret ?? null,
        recipientSiret: textOf(destinataire.codeDestinataire),
        serviceCode: textOf(destinataire.codeServiceExecutant),
        engagementNumber: textOf(references.numeroBonCommande),
        currency: textOf(references.deviseFacture),
        amountWithoutVat: euros(cents(totals.montantHtTotal)),
        vatAmount: euros(cents(totals.montantTVA)),
        amountWithVat: euros(cents(totals.montantTtcTotal)),
        frame: /^(A\d{1,2})_/.exec(textOf(frame.codeCadreFacturation) ?? '')?.[1] ?? null,
        validatorSiret: textOf(frame.codeStructureValideur),
      };
      const outcome = engine.submit(account.login, data);
      if (!outcome.ok) throw new BusinessError(BUSINESS_ERRORS.soumettre.refused, outcome.message);
      const { invoice } = outcome;
      if (attached.length > 0) invoice.attachedWith = attached;
      return ok('GCU_MSG_01_000', {
        identifiantFactureCPP: invoice.id,
        numeroFacture: invoice.number,
        statutFacture: invoice.status,
        dateDepot: isoParis(invoice.depositedAt),
        identifiantStructure: invoice.supplier.siret,
      });
    },
  };
}
