/**
 * The rules run on one file, synchronously: what a worker thread of rules-checker.ts does with a task. The file
 * has passed the intake's checks; its XML is still guarded again here (size, depth, no DOCTYPE) before SaxonJS
 * reads it.
 */
import { readFileSync } from 'node:fs';
import SaxonJS from 'saxon-js';
import type { SyntaxeFlux } from '../../../chorus/codes.js';
import type { FileLimits } from '../limits.js';
import { facturXml } from '../pdf.js';
import { guardXml } from '../xml-guard.js';
import { findingsOf, type FailedAssertion, type RulesVerdict } from './findings.js';
import type { RuleSyntax } from './release.js';

export interface RulesTask {
  content: Uint8Array;
  syntaxeFlux: SyntaxeFlux;
  limits: FileLimits;
  release: string;
  compiled: Readonly<Record<RuleSyntax, string>>;
}

/** The flows whose file is a full EN 16931 invoice: UBL and CII structured flows (E1), and Factur-X (E2). */
const STRUCTURED: ReadonlySet<SyntaxeFlux> = new Set<SyntaxeFlux>([
  'IN_DP_E1_UBL_INVOICE',
  'IN_DP_E1_CII',
  'IN_DP_E1_CII_16B',
  'IN_DP_E2_CII_FACTURX',
]);

/** Factur-X profiles below EN 16931: not full invoices, so the EN 16931 rules do not apply to them. */
const PARTIAL_PROFILES: Readonly<Record<string, string>> = { minimum: 'MINIMUM', basicwl: 'BASIC WL' };

/** Each SEF read and parsed once per thread: 5 MB of JSON, 130 ms. */
const stylesheets = new Map<string, unknown>();
const stylesheet = (path: string) => {
  let sef = stylesheets.get(path);
  if (sef === undefined) {
    sef = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    stylesheets.set(path, sef);
  }
  return sef;
};

const NOT_CHECKED = { errors: [], warnings: [] };

function rootSyntax(xml: string): RuleSyntax | null {
  const root = /<(?:[\w.-]+:)?(Invoice|CreditNote|CrossIndustryInvoice)[\s>/]/.exec(
    xml.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g, ''),
  );
  if (!root) return null;
  return root[1] === 'CrossIndustryInvoice' ? 'CII' : 'UBL';
}

/** BT-24's profile part: `urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic` gives `basic`. */
function facturXProfile(xml: string): string | null {
  const id = /GuidelineSpecifiedDocumentContextParameter>\s*<(?:[\w.-]+:)?ID>([^<]+)</.exec(xml)?.[1]?.trim();
  if (!id) return null;
  const factureX = /factur-x\.eu:1p0:([a-z]+)/i.exec(id)?.[1]?.toLowerCase();
  if (factureX) return factureX;
  return /en16931/i.test(id) ? 'en16931' : id;
}

export function runRules(task: RulesTask): RulesVerdict {
  const base = { release: task.release, syntax: null, profile: null };
  if (!STRUCTURED.has(task.syntaxeFlux))
    return {
      ...base,
      ...NOT_CHECKED,
      outcome: 'not-applicable',
      note: {
        fr: `Le flux ${task.syntaxeFlux} n’est pas une facture EN 16931 complète : Chorus Pro n’y applique pas ces règles, elles ne sont pas vérifiées ici.`,
        en: `A ${task.syntaxeFlux} file is not a full EN 16931 invoice: Chorus Pro does not apply these rules to it, so they are not checked here.`,
      },
    };
  const content = Buffer.from(task.content.buffer, task.content.byteOffset, task.content.byteLength);
  const facturX = task.syntaxeFlux === 'IN_DP_E2_CII_FACTURX';
  const xml = (facturX ? facturXml(content, task.limits) : content).toString('utf8').replace(/^\uFEFF/, '');
  guardXml(xml, task.limits);
  const syntax = rootSyntax(xml);
  const profile = syntax === 'CII' ? facturXProfile(xml) : null;
  if (syntax === null)
    return {
      ...base,
      ...NOT_CHECKED,
      outcome: 'not-applicable',
      note: {
        fr: 'Le fichier n’est ni une facture UBL ni une facture CII : les règles EN 16931 ne s’y appliquent pas.',
        en: 'The file is neither a UBL nor a CII invoice: the EN 16931 rules do not apply to it.',
      },
    };
  const partial = profile ? PARTIAL_PROFILES[profile] : undefined;
  if (partial)
    return {
      ...base,
      syntax,
      profile,
      ...NOT_CHECKED,
      outcome: 'not-applicable',
      note: {
        fr: `Factur-X ${partial} n’est pas une facture EN 16931 complète (pas de lignes ni de détail de TVA) : ses règles ne s’y appliquent pas. Chorus Pro l’accepte dans le flux mixte IN_DP_E2_CII_FACTURX, où le PDF fait foi et le XML porte les données d’acheminement et les montants ; le profil EN 16931 est recommandé.`,
        en: `Factur-X ${partial} is not a full EN 16931 invoice (no lines, no VAT breakdown): the rules do not apply to it. Chorus Pro accepts it in the mixed flow IN_DP_E2_CII_FACTURX, where the PDF is the invoice and the XML carries the routing data and the amounts; the EN 16931 profile is recommended.`,
      },
    };
  const result = SaxonJS.transform(
    { stylesheetInternal: stylesheet(task.compiled[syntax]), sourceText: xml, destination: 'raw' },
    'sync',
  );
  const failed = SaxonJS.XPath.evaluate(
    "descendant-or-self::svrl:failed-assert ! map { 'id': string(@id), 'flag': string(@flag), 'location': string(@location), 'text': string(svrl:text) }",
    result.principalResult,
    { namespaceContext: { svrl: 'http://purl.oclc.org/dsdl/svrl' }, resultForm: 'array' },
  ) as FailedAssertion[];
  const note =
    profile === 'basic'
      ? {
          fr: 'Factur-X BASIC est une facture EN 16931 (ses règles s’appliquent), sans certaines données facultatives au niveau des lignes. Chorus Pro l’accepte dans le flux mixte IN_DP_E2_CII_FACTURX ; le profil EN 16931 porte davantage et est recommandé.',
          en: 'Factur-X BASIC is an EN 16931 invoice (its rules apply), without some optional line data. Chorus Pro accepts it in the mixed flow IN_DP_E2_CII_FACTURX; the EN 16931 profile carries more and is recommended.',
        }
      : null;
  return { ...base, syntax, profile, outcome: 'checked', note, ...findingsOf(failed) };
}
