import { PII_KINDS, type PiiKind } from "@llmops/core";
import { stripControlChars } from "@llmops/report";
import { redactPii } from "./pii/detect.ts";

const ALL_KINDS: ReadonlySet<PiiKind> = new Set(PII_KINDS);

/**
 * A string from a dataset (an id, a field path, a label value) made fit for a report or a log:
 * personal data and secrets replaced by placeholders (an id may be an e-mail address), control
 * and bidirectional characters removed, cut to `max` characters.
 */
/**
 * Short words of letters, digits and `_` without a run of 12 digits: no pattern can match there
 * (every one needs `@`, `.`, `:`, a separator, 12+ digits or 15+ characters), so they are shown as
 * they are without a scan — most case ids are such.
 */
const PLAIN = /^(?!.*\d{12})[A-Za-z0-9_]{0,14}$/;

export function shown(text: string, max = 200): string {
  if (text.length <= max && PLAIN.test(text)) return text;
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
