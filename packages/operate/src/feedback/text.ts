import { hash } from "node:crypto";
import { canonicalJson } from "@llmops/core";

/**
 * C0 and C1 control characters other than tab, line feed and carriage return, DEL, and the
 * invisible zero-width space, word joiner and byte-order mark. Feedback text ends up in terminals,
 * Markdown comments and HTML reports; an escape sequence or a NUL in an eval case helps no one and
 * can rewrite what a reviewer sees, and an invisible character inside an email address hides it
 * from the PII redaction that runs next. (Zero-width joiners stay: emoji and several scripts need them.)
 */
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b\u2060\ufeff]/g;

/**
 * Text as it is stored in a case: lone surrogates (which JSON's `\ud800` escapes can smuggle in,
 * and UTF-8 cannot carry) become U+FFFD, and control and invisible characters are removed. `changed` says
 * whether anything was.
 */
export function cleanText(text: string): { text: string; changed: boolean } {
  const wellFormed = text.isWellFormed() ? text : text.toWellFormed();
  const cleaned = wellFormed.replace(CONTROL_CHARACTERS, "");
  return { text: cleaned, changed: cleaned !== text };
}

/**
 * Text as compared for duplicates: compatibility forms folded (NFKC: full-width letters, ligatures),
 * lower case, runs of white space as one space, trimmed. "Hello  World" and "hello world" are the
 * same question asked twice.
 */
export function normalizeText(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();
}

/** A value with every string in it normalized (normalizeText); depth is bounded by the caller's data. */
function normalizeValue(value: unknown): unknown {
  if (typeof value === "string") return normalizeText(value);
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(normalizeValue);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    // defineProperty, not assignment: a `__proto__` key stays a key and never becomes a prototype.
    Object.defineProperty(out, key, {
      value: normalizeValue((value as Record<string, unknown>)[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** A 64-bit key as two unsigned 32-bit halves (what HashSet64 stores). */
export interface Key64 {
  hi: number;
  lo: number;
}

/**
 * The first 64 bits of SHA-256 over a domain-separated text. SHA-256 rather than a fast
 * non-cryptographic hash because the inputs are chosen by strangers: with 64 bits a forged
 * collision with someone else's event would take a second preimage (~2^64 work), so one user
 * cannot get another's feedback dropped as a duplicate.
 */
export function key64(domain: string, text: string): Key64 {
  const digest = hash("sha256", `${domain}\u0000${text}`, "buffer");
  return { hi: digest.readUInt32BE(0), lo: digest.readUInt32BE(4) };
}

/** The duplicate key of a case id (`fb:<requestId>`, or any id of an earlier case). */
export function idKey(id: string): Key64 {
  return key64("id", id);
}

/**
 * The duplicate key of a case's content: its vars and expected value, every string normalized.
 * Values nested deeper than the stack allows (only possible in a hand-made earlier version) fall
 * back to `fallback`, the row's own text, so such a row is still deduplicated exactly.
 */
export function contentKey(vars: Record<string, unknown>, expected: unknown, fallback: string): Key64 {
  let text: string;
  try {
    text = canonicalJson({ v: normalizeValue(vars), e: expected === undefined ? null : normalizeValue(expected) });
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    text = `raw:${fallback}`;
  }
  return key64("content", text);
}
