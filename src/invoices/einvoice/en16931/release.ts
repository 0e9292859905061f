/**
 * The release of the official EN 16931 validation artefacts the relay runs, pinned by the SHA-256 of each
 * stylesheet: an installation from anywhere else (another release, a changed file) is refused. They are not part
 * of the repository (docs/validation.md says where they come from and under which licence).
 */
export const RULES_RELEASE = '1.3.16';

/** The syntaxes the artefacts cover: UBL 2.1 (Invoice, CreditNote) and UN/CEFACT CII D16B (also inside Factur-X). */
export type RuleSyntax = 'UBL' | 'CII';

export interface PinnedStylesheet {
  /** The file's name, wherever it sits in a release folder or archive. */
  fileName: string;
  /** Its path in the release's source tree. */
  releasePath: string;
  sha256: string;
}

export const PINNED_STYLESHEETS: Readonly<Record<RuleSyntax, PinnedStylesheet>> = {
  UBL: {
    fileName: 'EN16931-UBL-validation.xslt',
    releasePath: 'ubl/xslt/EN16931-UBL-validation.xslt',
    sha256: '39f9d282867f1a49e7708d9e29a53da89643e1ee56f10cec1ebcf1277595fcbd',
  },
  CII: {
    fileName: 'EN16931-CII-validation.xslt',
    releasePath: 'cii/xslt/EN16931-CII-validation.xslt',
    sha256: '0b234dea2bbfee739b7761e607a992c17fab88773014ef56355b6158cfb1cc53',
  },
};

/** GitHub's archive of the release tag: what `npm start` and `npm run rules:install` fetch when given no source. */
export const RELEASE_ARCHIVE_URL = `https://github.com/ConnectingEurope/eInvoicing-EN16931/archive/refs/tags/validation-${RULES_RELEASE}.zip`;
