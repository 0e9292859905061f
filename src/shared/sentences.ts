/**
 * Chorus Pro's sentences end with a full stop, or not: one quoted inside ours ("...: <theirs>. Fix the file...")
 * loses its own, so that the reader never meets "systeme.. Fix".
 */
export function withoutFinalStop(text: string): string {
  return text.replace(/[.\s]+$/, '');
}
