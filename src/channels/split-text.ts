/**
 * Splits text into pieces of at most `limit` characters (code points), at a paragraph, a line or
 * a space when one is near enough, so a long answer arrives as readable messages rather than
 * being refused by the platform. Every channel's renderer uses it with its own limit.
 */
export function splitText(text: string, limit: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while ([...rest].length > limit) {
    const window = [...rest].slice(0, limit).join('');
    // The best break in the second half of the window: a paragraph, else a line, else a word.
    const cut = ['\n\n', '\n', ' '].map((sep) => window.lastIndexOf(sep)).find((i) => i > window.length / 2);
    const at = cut ?? window.length;
    parts.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  rest = rest.trimEnd();
  if (rest.length > 0 || parts.length === 0) parts.push(rest);
  return parts;
}
