import { isIPv4, isIPv6 } from "node:net";
import type { PiiKind } from "@llmops/core";
import { ibanLength, ibanValid } from "./iban.ts";
import { cardScheme, luhnValid } from "./luhn.ts";

/** One piece of personal data or a secret in a string: `text.slice(start, end)`. */
export interface PiiMatch {
  kind: PiiKind;
  start: number;
  end: number;
}

/**
 * Every pattern is linear in the text: each starts only where a run of its characters starts
 * (a lookbehind), and repetition is bounded, so a hostile string of megabytes cannot make a scan
 * backtrack for long.
 */
/** Each secret pattern with literals one of which it must contain: most strings are ruled out by a substring search. */
const SECRET_PATTERNS: { hints: string[]; pattern: RegExp }[] = [
  // OpenAI (sk-, sk-proj-, sk-svcacct-, sk-admin-) and Anthropic (sk-ant-) API keys.
  { hints: ["sk-"], pattern: /(?<![A-Za-z0-9_-])sk-(?:ant-|proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,256}(?![A-Za-z0-9_-])/g },
  // GitHub tokens: personal (ghp_), OAuth (gho_), user-to-server (ghu_), server (ghs_), refresh (ghr_), fine-grained PATs.
  {
    hints: ["gh", "github_pat_"],
    pattern: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,244})(?![A-Za-z0-9_])/g,
  },
  // AWS access key ids.
  { hints: ["AKIA", "ASIA", "ABIA", "ACCA"], pattern: /(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])/g },
  // Slack tokens.
  { hints: ["xox"], pattern: /(?<![A-Za-z0-9-])xox[abposr]-[A-Za-z0-9-]{10,250}(?![A-Za-z0-9-])/g },
  // Google API keys.
  { hints: ["AIza"], pattern: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/g },
  // Stripe live secret and restricted keys.
  { hints: ["k_live_"], pattern: /(?<![A-Za-z0-9_])[sr]k_live_[0-9A-Za-z]{24,247}(?![A-Za-z0-9_])/g },
  // GitLab personal access tokens, Hugging Face tokens.
  { hints: ["glpat-", "hf_"], pattern: /(?<![A-Za-z0-9_-])(?:glpat-[0-9A-Za-z_-]{20,64}|hf_[A-Za-z0-9]{34,64})(?![A-Za-z0-9_-])/g },
  // JSON Web Tokens (header and payload are base64url JSON objects: `eyJ`).
  {
    hints: ["eyJ"],
    pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,4096}\.eyJ[A-Za-z0-9_-]{8,8192}\.[A-Za-z0-9_-]{8,4096}(?![A-Za-z0-9_-])/g,
  },
  // PEM private keys (the header is enough to say a key is there).
  { hints: ["PRIVATE KEY"], pattern: /-----BEGIN (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY-----/g },
];

const EMAIL =
  /(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-]|\.[A-Za-z0-9])/g;

/**
 * Two letters, two check digits, then up to 30 letters and digits with single spaces anywhere
 * between them (banks group by four, some not): one character per step, so there is one way to
 * match and nothing to backtrack over. The country's length then says where the IBAN ends.
 */
const IBAN_CANDIDATE = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}/g;

/** 12 to 19 digits, optionally separated by single spaces or dashes. */
const CARD = /(?<![0-9])\d(?:[ -]?\d){11,18}(?![0-9])/g;

const IPV4 = /(?<![0-9.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![0-9]|\.\d)/g;
/** A run of hex digits, colons and dots that could be an IPv6 address (at most 45 characters); validated by node:net. */
const IPV6_CANDIDATE = /(?<![0-9A-Za-z:.])[0-9A-Fa-f:][0-9A-Fa-f:.]{1,45}(?![0-9A-Za-z:])/g;

const PHONE_PATTERNS: RegExp[] = [
  // International: +CC then groups (E.164 allows at most 15 digits).
  /(?<![\w+])\+\d{1,3}(?:[ .-]?\(\d{1,4}\))?(?:[ .-]?\d{1,4}){2,6}(?![\w])/g,
  // North American: (202) 555-0143, 202-555-0143, 202.555.0143.
  /(?<![\w(+-])(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}(?!\w|[.-]\d)/g,
  // National numbers with a trunk 0: 030 1234567, 020 7946 0958, 06-12345678.
  /(?<![\w+-])0\d{1,4}[ /-]\d{3,4}(?:[ -]?\d{3,4})?(?!\w|[.-]\d)/g,
];

function digitsOf(text: string): string {
  return text.replace(NON_DIGITS, "");
}

function looksRandom(key: string): boolean {
  return HAS_DIGIT.test(key) && HAS_LETTER.test(key);
}

// Hoisted: a regular expression literal in a function body is a new object on every call.
const NON_DIGITS = /\D/g;
const HAS_DIGIT = /\d/;
const HAS_LETTER = /[A-Za-z]/;
const TWO_DIGITS = /\d\d/;
const THREE_DIGITS = /\d{3}/;
const FOUR_DIGITS = /\d{4}/;
const SEPARATOR = /[ -]/g;
const TRAILING_DOTS = /\.+$/;
const ALNUM = /[A-Za-z0-9]/;
const HEX_GROUP = /^[0-9A-Fa-f]{3,4}$/;

/**
 * The scan in progress. findPii is synchronous and never re-entered, so its state lives here rather
 * than in closures made per string: scanning a string with nothing in it allocates nothing.
 */
let scanText = "";
let scanKind: PiiKind = "secret";
let scanMatches: PiiMatch[] | undefined;
/** Characters already claimed, allocated at the first match: overlap checks stay linear however many matches. */
let scanClaimed: Uint8Array | undefined;

function found(start: number, end: number): void {
  scanClaimed ??= new Uint8Array(scanText.length);
  for (let i = start; i < end; i++) if (scanClaimed[i]) return;
  scanClaimed.fill(1, start, end);
  scanMatches ??= [];
  scanMatches.push({ kind: scanKind, start, end });
}

/** The detectors, in precedence order: a span claimed by one is not looked at by the next. */
const DETECTORS: { kind: PiiKind; applies: (text: string) => boolean; find: (text: string) => void }[] = [
  {
    kind: "secret",
    applies: () => true,
    find(text) {
      for (const { hints, pattern } of SECRET_PATTERNS) {
        let hinted = false;
        for (const hint of hints) if (text.includes(hint)) hinted = true;
        if (!hinted) continue;
        pattern.lastIndex = 0;
        for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
          // A hyphenated phrase after `sk-` is prose, not a key: real keys mix letters and digits.
          if (m[0].startsWith("sk-") && !looksRandom(m[0].slice(3))) continue;
          found(m.index, m.index + m[0].length);
        }
      }
    },
  },
  {
    kind: "email",
    applies: (text) => text.includes("@"),
    find(text) {
      EMAIL.lastIndex = 0;
      for (let m = EMAIL.exec(text); m; m = EMAIL.exec(text)) found(m.index, m.index + m[0].length);
    },
  },
  {
    kind: "iban",
    applies: (text) => TWO_DIGITS.test(text),
    find(text) {
      const pattern = IBAN_CANDIDATE;
      pattern.lastIndex = 0;
      for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
        const end = ibanEnd(text, m.index, m[0]);
        if (end > 0) {
          found(m.index, end);
          pattern.lastIndex = end;
        } else pattern.lastIndex = m.index + 1;
      }
    },
  },
  {
    kind: "credit-card",
    applies: (text) => FOUR_DIGITS.test(text),
    find(text) {
      CARD.lastIndex = 0;
      for (let m = CARD.exec(text); m; m = CARD.exec(text)) {
        const separators = m[0].match(SEPARATOR);
        // One kind of separator at most: `4111 1111-1111 1111` is not how anyone writes a card.
        if (separators && new Set(separators).size > 1) continue;
        const digits = digitsOf(m[0]);
        if (digits.length >= 12 && digits.length <= 19 && luhnValid(digits) && cardScheme(digits)) found(m.index, m.index + m[0].length);
      }
    },
  },
  {
    kind: "ip-address",
    applies: (text) => text.includes(".") || text.includes(":"),
    find(text) {
      IPV4.lastIndex = 0;
      for (let m = IPV4.exec(text); m; m = IPV4.exec(text)) if (isIPv4(m[0])) found(m.index, m.index + m[0].length);
      if (!text.includes(":")) return;
      IPV6_CANDIDATE.lastIndex = 0;
      for (let m = IPV6_CANDIDATE.exec(text); m; m = IPV6_CANDIDATE.exec(text)) {
        const candidate = m[0].replace(TRAILING_DOTS, "");
        if (plausibleIPv6(candidate)) found(m.index, m.index + candidate.length);
      }
    },
  },
  {
    kind: "phone",
    applies: (text) => THREE_DIGITS.test(text),
    find(text) {
      for (const pattern of PHONE_PATTERNS) {
        pattern.lastIndex = 0;
        for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
          const digits = digitsOf(m[0]).length;
          if (digits >= 8 && digits <= 15) found(m.index, m.index + m[0].length);
        }
      }
    },
  },
];

/**
 * Where the IBAN starting a candidate ends (an index into `text`), or -1: the first `length` letters
 * and digits for its country, followed by neither, with valid check digits.
 */
function ibanEnd(text: string, start: number, candidate: string): number {
  const length = ibanLength(candidate.slice(0, 2).toUpperCase());
  if (length === undefined) return -1;
  let compact = "";
  let i = 0;
  while (i < candidate.length && compact.length < length) {
    if (candidate[i] !== " ") compact += candidate[i];
    i++;
  }
  if (compact.length !== length || ALNUM.test(text[start + i] ?? "")) return -1;
  return ibanValid(compact.toUpperCase()) ? start + i : -1;
}

/**
 * An IPv6 address as node:net reads it, written the way addresses are: at least two non-empty
 * groups, and when `::` shortens it, one group of three or more hex digits (so clock times such as
 * `12:30::` and C++ scopes do not count). The loopback `::1` and the unspecified `::` are not
 * personal data.
 */
function plausibleIPv6(candidate: string): boolean {
  if (!isIPv6(candidate)) return false;
  const groups = candidate.split(":").filter((g) => g !== "");
  if (groups.length < 2) return false;
  if (candidate.includes("::") && !groups.some((g) => HEX_GROUP.test(g) || g.includes("."))) return false;
  return true;
}

/**
 * The personal data and secrets in `text`, of the given kinds, without overlaps, in text order.
 * Kinds are tried in precedence order (secret, email, IBAN, card, IP address, phone), so the
 * digits of an IBAN are not also counted as a phone number.
 */
export function findPii(text: string, kinds: ReadonlySet<PiiKind>): readonly PiiMatch[] {
  scanText = text;
  scanMatches = undefined;
  scanClaimed = undefined;
  for (const detector of DETECTORS) {
    if (!kinds.has(detector.kind) || !detector.applies(text)) continue;
    scanKind = detector.kind;
    detector.find(text);
  }
  // Set by `found` during the detectors' calls, which TypeScript cannot see.
  const matches = scanMatches as PiiMatch[] | undefined;
  scanText = "";
  scanMatches = undefined;
  scanClaimed = undefined;
  return matches ? matches.sort((a, b) => a.start - b.start) : NO_MATCHES;
}

const NO_MATCHES: readonly PiiMatch[] = Object.freeze([]);

/** Only the digits and text of a value's shape survive: enough to find it, not enough to use it. */
export function maskPii(kind: PiiKind, value: string): string {
  switch (kind) {
    case "email": {
      const at = value.lastIndexOf("@");
      const dot = value.lastIndexOf(".");
      return `${value[0]}***@***${dot > at ? value.slice(dot) : ""}`;
    }
    case "credit-card": {
      const digits = digitsOf(value);
      return `${"*".repeat(Math.max(0, digits.length - 4))}${digits.slice(-4)}`;
    }
    case "iban": {
      const compact = value.replace(/ /g, "");
      return `${compact.slice(0, 2)}${"*".repeat(Math.max(0, compact.length - 6))}${compact.slice(-4)}`;
    }
    case "phone": {
      const digits = digitsOf(value);
      return `${value.startsWith("+") ? "+" : ""}${"*".repeat(Math.max(0, digits.length - 2))}${digits.slice(-2)}`;
    }
    case "ip-address":
      return value.includes(":") ? `${value.split(":")[0]}:****` : `${value.split(".")[0]}.*.*.*`;
    case "secret": {
      const prefix =
        /^(?:sk-ant-|sk-proj-|sk-svcacct-|sk-admin-|sk-|gh[pousr]_|github_pat_|AKIA|ASIA|ABIA|ACCA|xox[abposr]-|AIza|[sr]k_live_|glpat-|hf_|eyJ|-----BEGIN)/.exec(
          value,
        );
      return `${prefix ? prefix[0] : ""}… (${value.length} characters)`;
    }
  }
}

/** What a redacted copy puts in place of each kind (Presidio's style: a typed placeholder). */
export const PII_PLACEHOLDER: Record<PiiKind, string> = {
  email: "<EMAIL>",
  phone: "<PHONE>",
  "credit-card": "<CREDIT_CARD>",
  iban: "<IBAN>",
  "ip-address": "<IP_ADDRESS>",
  secret: "<SECRET>",
};

/**
 * `text` with every match replaced by its placeholder. Scanned again afterwards: should a
 * replacement join pieces into something that matches (or a detector miss its own output),
 * the whole string becomes `<REDACTED>`, so a redacted string never holds a match.
 */
export function redactPii(text: string, kinds: ReadonlySet<PiiKind>, matches: readonly PiiMatch[] = findPii(text, kinds)): string {
  if (matches.length === 0) return text;
  let out = "";
  let at = 0;
  for (const m of matches) {
    out += text.slice(at, m.start) + PII_PLACEHOLDER[m.kind];
    at = m.end;
  }
  out += text.slice(at);
  return findPii(out, kinds).length === 0 ? out : "<REDACTED>";
}
