import { OCI_REPOSITORY_PATTERN } from "@llmops/core";
import { z } from "zod";

/**
 * One feedback event: one line of a feedback file (JSONL). This is the only shape accepted; a
 * line that does not match is a bad event named by its line number and the field at fault.
 *
 * Every byte of it comes from production users (and from whatever logged them), so every field
 * is bounded and patterned: ids and tag keys are short and plain, the model is a digest-pinned
 * ref, vars are flat scalars, and object keys that mean something to JavaScript are refused
 * (refusedKey) rather than silently dropped as zod's records would.
 */

/** `req-123`, `chatcmpl-9x…`, UUIDs: the id of the request that produced the output. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/** A var name a prompt template can name (`{{question}}`). */
export const VAR_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** A tag key (a slice dimension). */
export const TAG_KEY_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
/** The var a plain-string `input` becomes. */
export const INPUT_VAR = "input";
/** Tag keys the ingest sets itself; an event may not set them. */
export const RESERVED_TAG_KEYS: readonly string[] = ["rating"];
export const RATINGS = ["good", "bad", "neutral"] as const;

const MAX_VARS = 64;
const MAX_TAGS = 32;
const MAX_TAG_VALUE_CHARS = 256;
/** A name is at most 255 characters (artifactNameSchema), a digest 71. */
const MAX_MODEL_REF_CHARS = 255 + 1 + 71;

const scalarSchema = z.union([z.string(), z.number(), z.boolean()], { error: "expected a string, number or boolean" });

/** `acme/chat@sha256:<64 hex>`: the model version that produced the output. */
export const modelRefSchema = z
  .string()
  .max(MAX_MODEL_REF_CHARS, "expected name@sha256:<64 hex> (too long)")
  .refine(isModelRef, "expected name@sha256:<64 hex>, the model version that produced the output");

export const feedbackEventSchema = z
  .strictObject({
    requestId: z.string().regex(REQUEST_ID_PATTERN, "expected 1-128 characters: letters, digits, . _ : - (not starting with a sign)"),
    /** A string (becomes the var `input`) or the vars themselves, flat: `{question: "…", lang: "de"}`. */
    input: z.union(
      [
        z.string().min(1),
        z
          .record(z.string().regex(VAR_NAME_PATTERN, "expected var names like question or user_text"), scalarSchema)
          .refine((vars) => Object.keys(vars).length > 0, "expected at least one var")
          .refine((vars) => Object.keys(vars).length <= MAX_VARS, `expected at most ${MAX_VARS} vars`),
      ],
      { error: "expected a non-empty string or an object of vars (string, number or boolean values)" },
    ),
    output: z.string({ error: "expected the model's output (a string)" }),
    model: modelRefSchema,
    rating: z.enum(RATINGS, { error: `expected one of ${RATINGS.join(", ")}` }).optional(),
    correction: z.string({ error: "expected a string (becomes the case's expected value)" }).optional(),
    tags: z
      .record(
        z.string().regex(TAG_KEY_PATTERN, "expected tag keys of letters, digits, _ . - (at most 64)"),
        z.union([z.string().max(MAX_TAG_VALUE_CHARS), z.number(), z.boolean()], {
          error: `expected a string of at most ${MAX_TAG_VALUE_CHARS} characters, a number or a boolean`,
        }),
      )
      .refine((tags) => Object.keys(tags).length <= MAX_TAGS, `expected at most ${MAX_TAGS} tags`)
      .refine((tags) => !RESERVED_TAG_KEYS.some((k) => Object.hasOwn(tags, k)), "expected no rating tag (the ingest sets it from rating)")
      .optional(),
    /** The user agreed that this exchange may be used; `false` is always honoured, absence only with --require-consent. */
    consent: z.boolean({ error: "expected true or false" }).optional(),
    timestamp: z.iso.datetime({ offset: true, error: "expected an ISO 8601 date-time" }).optional(),
  })
  .refine((event) => event.rating !== undefined || event.correction !== undefined, {
    message: "expected rating or correction (an event without either carries no feedback)",
    path: ["rating"],
  });
export type FeedbackEvent = z.infer<typeof feedbackEventSchema>;

export function isModelRef(ref: string): boolean {
  const at = ref.indexOf("@");
  if (at <= 0 || at > 255) return false;
  return OCI_REPOSITORY_PATTERN.test(ref.slice(0, at)) && /^sha256:[a-f0-9]{64}$/.test(ref.slice(at + 1));
}

/** Why an event was not ingested; the keys of `counts.bad.byReason`. */
export const BAD_REASONS = [
  "too-long",
  "invalid-json",
  "not-an-object",
  "missing-field",
  "invalid-field",
  "unknown-field",
  "no-consent",
  "unknown-model",
  "model-limit",
] as const;
export const badReasonSchema = z.enum(BAD_REASONS);
export type BadReason = z.infer<typeof badReasonSchema>;

export type ParsedLine = { ok: true; event: FeedbackEvent } | { ok: false; reason: BadReason; message: string };

/**
 * Keys JavaScript gives meaning to. JSON.parse makes them plain own keys, but copying them into
 * an object by assignment would set a prototype, and zod's records drop them without a word.
 */
const REFUSED_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** Parses and validates one non-blank line. Never throws, never echoes user text in a message. */
export function parseFeedbackLine(text: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: "invalid-json", message: "expected one JSON object per line" };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { ok: false, reason: "not-an-object", message: "expected a JSON object (a feedback event)" };
  }
  const refused = refusedKey(value as Record<string, unknown>);
  if (refused)
    return { ok: false, reason: "invalid-field", message: `${refused}: expected no key named __proto__, constructor or prototype` };
  const parsed = feedbackEventSchema.safeParse(value);
  if (parsed.success) return { ok: true, event: parsed.data };
  return describeIssue(parsed.error.issues[0]!, value as Record<string, unknown>);
}

/** Where a refused key is, at the only depths the schema has objects: the event, `input`, `tags`. */
function refusedKey(event: Record<string, unknown>): string | undefined {
  for (const key of Object.keys(event)) if (REFUSED_KEYS.has(key)) return "a field";
  for (const field of ["input", "tags"]) {
    const inner = Object.hasOwn(event, field) ? event[field] : undefined;
    if (inner === null || typeof inner !== "object" || Array.isArray(inner)) continue;
    for (const key of Object.keys(inner)) if (REFUSED_KEYS.has(key)) return field;
  }
  return undefined;
}

/** A key as it may appear in a message: only plain, short names are shown, never user text. */
function shownKey(key: PropertyKey): string {
  return typeof key === "string" && /^[A-Za-z0-9_.-]{1,64}$/.test(key) ? key : "(a key not shown)";
}

function describeIssue(issue: z.core.$ZodIssue, event: Record<string, unknown>): ParsedLine {
  const path = issue.path.map(shownKey).join(".");
  if (issue.code === "unrecognized_keys") {
    const key = shownKey(issue.keys[0] ?? "");
    return {
      ok: false,
      reason: "unknown-field",
      message: `${path ? `${path}.` : ""}${key}: unknown field (an event has requestId, input, output, model, rating, correction, tags, consent, timestamp)`,
    };
  }
  const top = issue.path[0];
  const missing = issue.path.length === 1 && typeof top === "string" && !Object.hasOwn(event, top);
  // The rating-or-correction rule names rating, which is then absent too: it is a missing field.
  return {
    ok: false,
    reason: missing ? "missing-field" : "invalid-field",
    message: `${path || "event"}: ${missing ? "missing; " : ""}${issue.message}`,
  };
}
