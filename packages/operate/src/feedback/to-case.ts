import { caseId } from "@llmops/eval";
import { findPii, PII_PLACEHOLDER, redactPii } from "../check/pii/detect.ts";
import { type FeedbackEvent, INPUT_VAR } from "./event.ts";
import { cleanText } from "./text.ts";

/** What a redactor returns: the text with personal data replaced, and what it found (by kind). */
export interface Redaction {
  text: string;
  found: readonly { kind: string }[];
}
export type Redactor = (text: string) => Redaction;

/** Every kind the project's PII detector knows: emails, phones, cards, IBANs, IP addresses, secrets. */
const ALL_KINDS: ReadonlySet<keyof typeof PII_PLACEHOLDER> = new Set(Object.keys(PII_PLACEHOLDER) as (keyof typeof PII_PLACEHOLDER)[]);

/**
 * The one PII detector of the project (dataset checks own it, check/pii); feedback ingest only
 * applies it, with every kind, replacing each find by its typed placeholder (`<EMAIL>`).
 */
export const defaultRedactor: Redactor = (text) => {
  const found = findPii(text, ALL_KINDS);
  return { text: found.length === 0 ? text : redactPii(text, ALL_KINDS, found), found };
};

/** A feedback event as an eval case row, with what building it changed. */
export interface FeedbackCase {
  id: string;
  vars: Record<string, string | number | boolean>;
  expected?: string;
  tags: Record<string, string>;
  metadata: { source: "feedback"; model: string; output: string; timestamp?: string };
}

export interface CaseStats {
  /** Redactions by kind (email, phone, …), counted over every text field. */
  redactions: Map<string, number>;
  /** Events where control characters or lone surrogates were removed. */
  sanitized: number;
}

/** The id prefix of feedback cases: they never collide with hand-written ids such as `greeting`. */
export const FEEDBACK_ID_PREFIX = "fb:";

/**
 * The case for an event: `id` from the request id, `vars` from the input, `expected` from the
 * correction, `tags` from the rating and the event's tags, and the model, output and time as
 * metadata. Every text is cleaned (cleanText) and, with a redactor, has personal data replaced,
 * before it is stored or compared: two events that differ only in an email address are one case.
 * A request id in which the redactor finds personal data cannot be redacted (it would stop being
 * an id), nor hashed (a card or phone number has too few digits to hide behind a hash), so the
 * case is named by its redacted content instead (`fb:c-` and eval's caseId of vars and expected).
 */
export function eventToCase(event: FeedbackEvent, redact: Redactor | undefined, stats: CaseStats): FeedbackCase {
  let sanitized = false;
  const text = (value: string): string => {
    const cleaned = cleanText(value);
    if (cleaned.changed) sanitized = true;
    if (!redact) return cleaned.text;
    const redacted = redact(cleaned.text);
    count(stats.redactions, redacted.found);
    return redacted.text;
  };

  const idFound = redact ? redact(event.requestId).found : [];
  count(stats.redactions, idFound);

  const vars: Record<string, string | number | boolean> =
    typeof event.input === "string"
      ? { [INPUT_VAR]: text(event.input) }
      : Object.fromEntries(Object.entries(event.input).map(([key, value]) => [key, typeof value === "string" ? text(value) : value]));
  const tags: Record<string, string> = Object.fromEntries([
    ...(event.rating !== undefined ? [["rating", event.rating]] : []),
    ...Object.entries(event.tags ?? {}).map(([key, value]) => [key, typeof value === "string" ? text(value) : String(value)]),
  ]);
  const metadata: FeedbackCase["metadata"] = { source: "feedback", model: event.model, output: text(event.output) };
  if (event.timestamp !== undefined) metadata.timestamp = event.timestamp;
  const expected = event.correction !== undefined ? text(event.correction) : undefined;
  if (sanitized) stats.sanitized++;
  const id = idFound.length === 0 ? `${FEEDBACK_ID_PREFIX}${event.requestId}` : `${FEEDBACK_ID_PREFIX}c-${caseId(vars, expected)}`;
  // Key order as a hand-written case: id, vars, expected, tags, metadata.
  return expected === undefined ? { id, vars, tags, metadata } : { id, vars, expected, tags, metadata };
}

function count(redactions: Map<string, number>, found: readonly { kind: string }[]): void {
  for (const { kind } of found) redactions.set(kind, (redactions.get(kind) ?? 0) + 1);
}
