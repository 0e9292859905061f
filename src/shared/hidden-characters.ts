/**
 * Characters that hide what a text says: C0 and C1 controls (line breaks allowed on request), bidirectional
 * overrides and isolates, and UTF-16 surrogates without their pair. A NUL also breaks PostgreSQL text.
 */
const LINE_BREAKS = new Set([0x09, 0x0a, 0x0d]);
const BIDI = new Set([0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]);

/**
 * The first refused UTF-16 unit of `text`, by code (checked as numbers: these are the characters no pattern should
 * hold).
 */
export function firstHiddenCharacter(text: string, allowLineBreaks: boolean): { index: number; code: number } | null {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const control = c < 0x20 || (c >= 0x7f && c <= 0x9f);
    if (control && !(allowLineBreaks && LINE_BREAKS.has(c))) return { index: i, code: c };
    if (BIDI.has(c)) return { index: i, code: c };
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else return { index: i, code: c };
    } else if (c >= 0xdc00 && c <= 0xdfff) return { index: i, code: c };
  }
  return null;
}
