/**
 * The fast path of the event-log reader: pulls the variant and the outcome out of one JSONL line
 * by looking at its bytes, without decoding the line or building an object.
 *
 * It only answers for lines of the simple shape an event logger writes — one flat JSON object
 * whose values are strings, numbers, true, false or null — and only when it has checked that the
 * whole line is valid JSON: braces, commas, colons, string escapes, number grammar, no raw control
 * characters, nothing after the object. Whenever anything is unusual (a nested value, an escape in
 * a key or in the variant, a key with non-ASCII bytes, a missing field, an outcome that is not a
 * finite number or a boolean, invalid JSON) it declines and the caller parses the line with JSON.parse,
 * which also words the error. So an accepted line is one JSON.parse accepts, with the same two
 * values: the last occurrence of a repeated key, the same double for a number (both round the
 * decimal correctly), and the same variant string (the caller decodes the bytes as UTF-8 the way
 * it decodes lines for JSON.parse).
 */

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const COLON = 0x3a;
const BACKSLASH = 0x5c;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
const PLUS = 0x2b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * Bytes that end a run of plain string content: the quote, the backslash and the control
 * characters (raw ones are invalid in JSON strings), among them the newline that ends every line
 * the scanner is given. A table lookup per byte is the whole inner loop.
 */
const STRING_STOP = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) STRING_STOP[c] = 1;
STRING_STOP[QUOTE] = 1;
STRING_STOP[BACKSLASH] = 1;
/** The same, also stopping at bytes ≥ 0x80: keys must be plain ASCII. */
const KEY_STOP = STRING_STOP.slice();
for (let c = 0x80; c < 0x100; c++) KEY_STOP[c] = 1;
/**
 * JSON's whitespace within a line: space, tab, carriage return. Not the newline, which is JSON
 * whitespace too, but here it ends the line, so every loop of the scanner stops there.
 */
const WHITESPACE = new Uint8Array(256);
WHITESPACE[SPACE] = 1;
WHITESPACE[TAB] = 1;
WHITESPACE[CR] = 1;

/** The outcome kinds the fast path reports. */
export const OUTCOME_NUMBER = 1;
export const OUTCOME_TRUE = 2;
export const OUTCOME_FALSE = 3;

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** Matches `word` (ASCII) at `i`; stops at the first difference, so never reads past the newline. */
function literal(b: Uint8Array, i: number, word: Uint8Array): boolean {
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word[k]) return false;
  return true;
}

const TRUE = new Uint8Array([0x74, 0x72, 0x75, 0x65]);
const FALSE = new Uint8Array([0x66, 0x61, 0x6c, 0x73, 0x65]);
const NULL = new Uint8Array([0x6e, 0x75, 0x6c, 0x6c]);

/**
 * One scanner per pair of field names; `scanLine` fills `variantStart`/`variantEnd` (the raw bytes
 * of the variant string, no escapes), `outcomeKind` and `outcomeValue`, and returns where the line
 * ends, or −1 when it declines. Not re-entrant: the fields are reused line after line to allocate
 * nothing.
 */
export class EventScanner {
  readonly #variantKey: Uint8Array;
  readonly #outcomeKey: Uint8Array;
  variantStart = 0;
  variantEnd = 0;
  outcomeKind = 0;
  outcomeValue = 0;

  /** Field names must differ; a name with bytes outside printable ASCII never takes the fast path. */
  constructor(variantField: string, outcomeField: string) {
    this.#variantKey = new TextEncoder().encode(variantField);
    this.#outcomeKey = new TextEncoder().encode(outcomeField);
  }

  /** Whether the fast path can serve these field names at all. */
  static supports(field: string): boolean {
    return /^[\x20-\x7e]+$/.test(field) && !field.includes('"') && !field.includes("\\");
  }

  #keyIs(b: Uint8Array, start: number, stop: number, key: Uint8Array): boolean {
    if (stop - start !== key.length) return false;
    for (let k = 0; k < key.length; k++) if (b[start + k] !== key[k]) return false;
    return true;
  }

  /**
   * The line starting at `start`, which must end with a newline somewhere in `b` (every loop stops
   * there, so no bounds checks): the index of that newline when the line was answered, else −1.
   */
  scanLine(b: Uint8Array, start: number): number {
    let i = start;
    while (WHITESPACE[b[i] as number] === 1) i++;
    if (b[i] !== OPEN_BRACE) return -1;
    i++;
    let gotVariant = false;
    let gotOutcome = false;
    for (;;) {
      while (WHITESPACE[b[i] as number] === 1) i++;
      if (b[i] !== QUOTE) return -1; // also `{}`: no fields, the slow path says so
      // Key: plain ASCII without escapes, or decline (an escaped key could spell a field name).
      const keyStart = ++i;
      while (KEY_STOP[b[i] as number] === 0) i++;
      if (b[i] !== QUOTE) return -1;
      const keyEnd = i++;
      while (WHITESPACE[b[i] as number] === 1) i++;
      if (b[i] !== COLON) return -1;
      i++;
      while (WHITESPACE[b[i] as number] === 1) i++;
      const isVariant = this.#keyIs(b, keyStart, keyEnd, this.#variantKey);
      const isOutcome = !isVariant && this.#keyIs(b, keyStart, keyEnd, this.#outcomeKey);
      const c = b[i] as number;
      if (c === QUOTE) {
        const valueStart = ++i;
        let escaped = false;
        for (;;) {
          while (STRING_STOP[b[i] as number] === 0) i++;
          const d = b[i] as number;
          if (d === QUOTE) break;
          if (d < SPACE) return -1;
          if (d === BACKSLASH) {
            escaped = true;
            const e = b[i + 1];
            if (e === 0x75) {
              // \uXXXX
              // In order, so a newline among them stops the reading there.
              if (!isHex(b[i + 2] as number) || !isHex(b[i + 3] as number) || !isHex(b[i + 4] as number) || !isHex(b[i + 5] as number))
                return -1;
              i += 6;
            } else if (e === QUOTE || e === BACKSLASH || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
              i += 2;
            } else return -1;
          }
        }
        const valueEnd = i++;
        if (isOutcome) return -1; // a string outcome is an error the slow path words
        if (isVariant) {
          if (escaped) return -1;
          this.variantStart = valueStart;
          this.variantEnd = valueEnd;
          gotVariant = true;
        }
      } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
        // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
        const numberStart = i;
        if (c === MINUS) i++;
        let digits = 0;
        let integer = 0;
        if (b[i] === ZERO) {
          i++;
          digits = 1;
        } else {
          while ((b[i] as number) >= ZERO && (b[i] as number) <= NINE) {
            integer = integer * 10 + ((b[i] as number) - ZERO);
            i++;
            digits++;
          }
          if (digits === 0) return -1;
        }
        let simple = c !== MINUS && digits <= 15;
        if (b[i] === DOT) {
          i++;
          const fractionStart = i;
          while ((b[i] as number) >= ZERO && (b[i] as number) <= NINE) i++;
          if (i === fractionStart) return -1;
          simple = false;
        }
        if (b[i] === LOWER_E || b[i] === UPPER_E) {
          i++;
          if (b[i] === PLUS || b[i] === MINUS) i++;
          const exponentStart = i;
          while ((b[i] as number) >= ZERO && (b[i] as number) <= NINE) i++;
          if (i === exponentStart) return -1;
          simple = false;
        }
        if (isVariant) return -1; // a numeric variant: the slow path names it
        if (isOutcome) {
          if (i - numberStart > 64) return -1; // an absurd literal: JSON.parse's business
          this.outcomeKind = OUTCOME_NUMBER;
          // Up to 15 plain digits are exact as an integer; anything else is rounded by Number(),
          // which (like JSON.parse) rounds the decimal correctly.
          this.outcomeValue = simple ? integer : Number(String.fromCharCode(...b.subarray(numberStart, i)));
          if (!Number.isFinite(this.outcomeValue)) return -1; // 1e400: an error the slow path words
          gotOutcome = true;
        }
      } else if (c === 0x74 && literal(b, i, TRUE)) {
        i += 4;
        if (isVariant) return -1;
        if (isOutcome) {
          this.outcomeKind = OUTCOME_TRUE;
          this.outcomeValue = 1;
          gotOutcome = true;
        }
      } else if (c === 0x66 && literal(b, i, FALSE)) {
        i += 5;
        if (isVariant) return -1;
        if (isOutcome) {
          this.outcomeKind = OUTCOME_FALSE;
          this.outcomeValue = 0;
          gotOutcome = true;
        }
      } else if (c === 0x6e && literal(b, i, NULL)) {
        i += 4;
        if (isVariant || isOutcome) return -1;
      } else return -1; // a nested object or array, or not JSON
      while (WHITESPACE[b[i] as number] === 1) i++;
      if (b[i] === COMMA) {
        i++;
        continue;
      }
      if (b[i] !== CLOSE_BRACE) return -1;
      i++;
      break;
    }
    while (WHITESPACE[b[i] as number] === 1) i++;
    return b[i] === LF && gotVariant && gotOutcome ? i : -1;
  }
}
