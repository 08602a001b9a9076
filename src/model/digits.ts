/**
 * Whether `text` is 1 to `maxDigits` ASCII digits: a hand loop rather than a
 * regex, as the text comes from the cluster (annotation values) and must not
 * reach V8's backtracking engine.
 */
export function isDigits(text: string, maxDigits: number): boolean {
  if (text.length === 0 || text.length > maxDigits) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
