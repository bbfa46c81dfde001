import { PII_KINDS, type PiiKind } from "@llmops/core";
import { stripControlChars } from "@llmops/report";
import { redactPii } from "./pii/detect.ts";

const ALL_KINDS: ReadonlySet<PiiKind> = new Set(PII_KINDS);

/**
 * A string from a dataset (an id, a field path, a label value) made fit for a report or a log:
 * personal data and secrets replaced by placeholders (an id may be an e-mail address), control
 * and bidirectional characters removed, cut to `max` characters.
 */
export function shown(text: string, max = 200): string {
  // Redacted before it is cut, over a prefix longer than any pattern (a JWT is the longest), so no
  // match is cut in half and shown in part.
  const scanned = Math.max(4 * max, 20_000);
  const head = text.length > scanned ? text.slice(0, scanned) : text;
  const clean = redactPii(stripControlChars(head), ALL_KINDS).replace(/[\r\n\u2028\u2029]+/g, " ");
  if (clean.length <= max && head.length === text.length) return clean;
  let end = Math.min(clean.length, max - 1);
  const code = clean.charCodeAt(end - 1);
  if (end > 0 && code >= 0xd800 && code <= 0xdbff) end--;
  return `${clean.slice(0, end)}…`;
}
