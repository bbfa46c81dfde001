const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * The first `maxLength` UTF-16 code units of `text` or fewer, cut at a grapheme boundary (never
 * inside a surrogate pair, an emoji sequence or a combining mark), with "…" appended when cut.
 * Markdown/HTML escaping is the renderer's job.
 */
export function excerpt(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const budget = Math.max(0, maxLength - 1);
  // Only the region around the cut needs segmenting; graphemes longer than 64 units are pathological.
  const windowStart = Math.max(0, budget - 64);
  let cut = windowStart;
  for (const { index, segment } of segmenter.segment(text.slice(windowStart, budget + 64))) {
    const end = windowStart + index + segment.length;
    if (end > budget) break;
    cut = end;
  }
  // windowStart itself may sit inside a pair; step back off a low surrogate.
  if (cut === windowStart && cut > 0 && isLowSurrogate(text.charCodeAt(cut)) && isHighSurrogate(text.charCodeAt(cut - 1))) cut -= 1;
  return `${text.slice(0, cut)}…`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** How a value is shown in an excerpt: strings as they are, anything else as JSON. */
export function displayValue(value: unknown): string {
  if (typeof value === "string") return value;
  return JSON.stringify(value) ?? String(value);
}
