/**
 * What the official rules say of an invoice, in the words a person acts on: each broken rule with its id, its
 * sentence, where it is in the file, the business terms (BT) it names and the request field that carries the first
 * of them, and what to do, in French and in English.
 */
import type { RuleSyntax } from './release.js';

/** A failed assertion as the SVRL report gives it. */
export interface FailedAssertion {
  id: string;
  flag: string;
  location: string;
  text: string;
}

export interface RuleFinding {
  /** The rule's id, as EN 16931 names it: `BR-CO-15`. */
  rule: string;
  severity: 'fatal' | 'warning';
  /** The rule's sentence. */
  message: string;
  /** Where in the file: an XPath, without its namespace tests. */
  location: string;
  /** The business terms the rule names, in its order: `BT-112`, `BT-109`... */
  businessTerms: string[];
  /** The request field (POST /v1/invoices) that carries the first of them (the one the rule constrains), if any. */
  field: string | null;
  fix: { fr: string; en: string };
}

export interface RulesVerdict {
  /** `checked`: the rules ran; `not-applicable`: this file is not one the rules apply to; `unavailable`: no rules. */
  outcome: 'checked' | 'not-applicable' | 'unavailable';
  release: string | null;
  syntax: RuleSyntax | null;
  /** The Factur-X profile (BT-24's last part, `en16931`, `basic`, `minimum`...), for a Factur-X file. */
  profile: string | null;
  errors: RuleFinding[];
  warnings: RuleFinding[];
  /** In both languages: why the rules did not run, or what Chorus Pro does with a Factur-X of this profile. */
  note: { fr: string; en: string } | null;
}

/** The business terms our request fields carry (docs/api.md, the invoice fields). */
const FIELD_OF_TERM: Readonly<Record<string, string>> = {
  'BT-1': 'number',
  'BT-2': 'issueDate',
  'BT-3': 'type',
  'BT-5': 'currency',
  'BT-10': 'serviceCode',
  'BT-12': 'marketNumber',
  'BT-13': 'engagementNumber',
  'BT-23': 'billingFrame',
  'BT-29': 'supplierSiret',
  'BT-30': 'supplierSiret',
  'BT-46': 'recipientSiret',
  'BT-47': 'recipientSiret',
  'BT-106': 'lines',
  'BT-109': 'amountWithoutVat',
  'BT-110': 'vatAmount',
  'BT-112': 'amountWithVat',
  'BT-116': 'vatBreakdown',
  'BT-117': 'vatBreakdown',
  'BT-118': 'vatBreakdown',
  'BT-119': 'vatBreakdown',
  'BT-126': 'lines',
  'BT-129': 'lines',
  'BT-131': 'lines',
  'BT-146': 'lines',
  'BT-153': 'lines',
};

/** French explanations of the rules met most, where the generic sentence would say too little. */
const FRENCH: Readonly<Record<string, string>> = {
  'BR-CO-10':
    'La somme des montants nets des lignes (BT-106) doit être égale au total des montants nets de chaque ligne (BT-131).',
  'BR-CO-13':
    'Le total hors TVA (BT-109) doit être égal à la somme des lignes (BT-131), moins les remises (BT-107), plus les frais (BT-108) au niveau du document.',
  'BR-CO-14': 'Le total de la TVA (BT-110) doit être égal à la somme des montants de TVA par taux (BT-117).',
  'BR-CO-15': 'Le total TTC (BT-112) doit être égal au total hors TVA (BT-109) plus le total de la TVA (BT-110).',
  'BR-CO-16':
    'Le montant à payer (BT-115) doit être égal au total TTC (BT-112), moins le montant déjà payé (BT-113), plus l’arrondi (BT-114).',
  'BR-CO-17':
    'Le montant de TVA d’un taux (BT-117) doit être égal à sa base (BT-116) multipliée par le taux (BT-119) / 100, arrondi à deux décimales.',
  'BR-CO-18': 'La facture doit comporter au moins un récapitulatif de TVA (BG-23).',
  'BR-S-08':
    'Pour chaque taux de TVA standard (catégorie S), la base (BT-116) doit être égale à la somme des lignes à ce taux, remises et frais compris.',
  'BR-S-09':
    'Pour la catégorie S, le montant de TVA (BT-117) doit être égal à la base (BT-116) multipliée par le taux (BT-119).',
  'BR-01': 'La facture doit indiquer son cadre (BT-24, identifiant de la spécification).',
  'BR-02': 'La facture doit avoir un numéro (BT-1).',
  'BR-03': 'La facture doit avoir une date d’émission (BT-2).',
  'BR-04': 'La facture doit avoir un code de type (BT-3).',
  'BR-05': 'La facture doit indiquer sa devise (BT-5).',
  'BR-06': 'La facture doit indiquer la raison sociale du vendeur (BT-27).',
  'BR-07': 'La facture doit indiquer la raison sociale de l’acheteur (BT-44).',
  'BR-08': 'La facture doit indiquer l’adresse postale du vendeur (BG-5).',
  'BR-16': 'La facture doit comporter au moins une ligne (BG-25).',
};

/** `/*:Invoice[namespace-uri()='…'][1]/*:TaxTotal[namespace-uri()='…'][2]` reads `/Invoice/TaxTotal[2]`. */
export function readableLocation(location: string): string {
  return location
    .replace(/\[namespace-uri\(\)='[^']*'\]/g, '')
    .replace(/\*:/g, '')
    .replace(/\[1\]/g, '')
    .replace(/Q\{[^}]*\}/g, '');
}

/** The rule's sentence without the `[BR-CO-15]-` its text starts with. */
const sentenceOf = (assertion: FailedAssertion) =>
  assertion.text
    .replace(/^\s*\[[^\]]+\]\s*-?\s*/, '')
    .replace(/\s+/g, ' ')
    .trim();

export function findingOf(assertion: FailedAssertion): RuleFinding {
  const message = sentenceOf(assertion);
  const businessTerms = [...new Set([...message.matchAll(/\bBT-\d+\b/g)].map((m) => m[0]))];
  // The first term a rule names is the one it constrains (BR-CO-15: BT-112 = BT-109 + BT-110).
  const term = businessTerms[0];
  const field = term ? (FIELD_OF_TERM[term] ?? null) : null;
  const where = field ? ` (request field ${field}, ${term})` : '';
  const fatal = assertion.flag === 'fatal';
  const explained = FRENCH[assertion.id];
  return {
    rule: assertion.id,
    severity: fatal ? 'fatal' : 'warning',
    message,
    location: readableLocation(assertion.location),
    businessTerms,
    field,
    fix: fatal
      ? {
          fr: `${explained ?? `La facture enfreint la règle ${assertion.id} de la norme EN 16931 : « ${message} »`}${field ? ` Vérifiez aussi le champ ${field} de la demande.` : ''} Corrigez le fichier, puis déposez-le de nouveau : Chorus Pro le rejetterait après le dépôt.`,
          en: `Correct the file so that ${assertion.id} holds: ${message}${where}. Then submit it again: Chorus Pro would reject it after the deposit.`,
        }
      : {
          fr: `${explained ?? `Avertissement ${assertion.id} de la norme EN 16931 : « ${message} »`} Ce n’est pas bloquant.`,
          en: `A warning of ${assertion.id}: ${message}${where}. It does not block the deposit.`,
        },
  };
}

/** Every failed assertion, fatal first, each rule and location once. */
export function findingsOf(assertions: readonly FailedAssertion[]): { errors: RuleFinding[]; warnings: RuleFinding[] } {
  const seen = new Set<string>();
  const findings: RuleFinding[] = [];
  for (const assertion of assertions) {
    const key = `${assertion.id}|${assertion.location}`;
    if (seen.has(key)) continue;
    seen.add(key);
    findings.push(findingOf(assertion));
  }
  return {
    errors: findings.filter((f) => f.severity === 'fatal'),
    warnings: findings.filter((f) => f.severity === 'warning'),
  };
}

/** One line for the timeline and the job: `BR-CO-15 (amountWithVat): Invoice total amount with VAT ...`. */
export function summaryOf(findings: readonly RuleFinding[]): string {
  return findings.map((f) => `${f.rule}${f.field ? ` (${f.field})` : ''}: ${f.message}`).join('; ');
}
