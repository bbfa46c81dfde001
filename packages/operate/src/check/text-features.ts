import { combine32, hashString64, mix32 } from "./hash.ts";
import { MinHasher } from "./minhash.ts";

/** Character classes of the tokenizer, cached per UTF-16 code unit (BMP) as they are met. */
const UNKNOWN = 0;
const SEPARATOR = 1;
const WORD = 2;
/** Han, Hiragana, Katakana: scripts written without spaces, so each character is a token. */
const SINGLE = 3;

const classes = new Uint8Array(0x10000);
const WORD_CHAR = /^[\p{L}\p{N}\p{M}]$/u;
const SINGLE_CHAR = /^[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}]$/u;

function classify(char: string): number {
  if (SINGLE_CHAR.test(char)) return SINGLE;
  return WORD_CHAR.test(char) ? WORD : SEPARATOR;
}

function classOf(text: string, i: number, code: number): number {
  if (code < 0xd800 || code > 0xdfff) {
    let known = classes[code]!;
    if (known === UNKNOWN) {
      known = classify(String.fromCharCode(code));
      classes[code] = known;
    }
    return known;
  }
  // Astral characters (a surrogate pair): classified each time; they are rare in text datasets.
  const point = text.codePointAt(i)!;
  return point > 0xffff ? classify(String.fromCodePoint(point)) : SEPARATOR;
}

for (let c = 0; c < 128; c++) {
  const isWord = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  classes[c] = isWord ? WORD : SEPARATOR;
}

/**
 * Words of a text as every text check sees them: NFKC-normalised and lower-cased, runs of letters,
 * digits and combining marks, each Han, Hiragana or Katakana character on its own; everything
 * else separates. Calls `onToken(start, end)` with offsets into the normalised text it returns.
 */
export function scanWords(text: string, onToken: (normalised: string, start: number, end: number) => void): string {
  const normalised = text.normalize("NFKC").toLowerCase();
  let start = -1;
  for (let i = 0; i < normalised.length; i++) {
    const code = normalised.charCodeAt(i);
    const kind = code < 128 ? classes[code]! : classOf(normalised, i, code);
    const width = code >= 0xd800 && code <= 0xdbff && i + 1 < normalised.length ? 2 : 1;
    if (kind === WORD) {
      if (start < 0) start = i;
    } else {
      if (start >= 0) {
        onToken(normalised, start, i);
        start = -1;
      }
      if (kind === SINGLE) onToken(normalised, i, i + width);
    }
    i += width - 1;
  }
  if (start >= 0) onToken(normalised, start, normalised.length);
  return normalised;
}

/**
 * Fewest words a field shorter than n needs to count as one whole n-gram. A label or a one-word
 * answer (`positive`, `Paris`) is shared by thousands of unrelated cases: matching it is no sign of
 * contamination, and counting it flagged every case with the same label.
 */
export const MIN_WHOLE_FIELD_NGRAM = 4;

export interface TextFeatureOptions {
  /** Words per shingle (near duplicates). */
  shingle: number;
  /** Words per n-gram (contamination); 0: none. */
  ngram: number;
  permutations: number;
}

/**
 * Everything the checks keep of a case's text, built one field at a time and never holding the
 * words: word and character counts, the MinHash signature of its word shingles, and (through a
 * callback) the 64-bit hashes of its word n-grams. Shingles and n-grams never span two fields.
 * A field shorter than a shingle counts as one whole shingle of its words, and one shorter than
 * an n-gram as one whole n-gram if it has MIN_WHOLE_FIELD_NGRAM words, so short texts still compare.
 */
export class TextFeatures {
  readonly minhash: MinHasher;
  readonly #shingle: number;
  readonly #ngram: number;
  readonly #ring0: Int32Array;
  readonly #ring1: Int32Array;
  readonly #token = new Int32Array(2);
  #count = 0;
  #onNgram: ((hi: number, lo: number) => void) | undefined;
  words = 0;
  chars = 0;

  constructor(options: TextFeatureOptions) {
    this.minhash = new MinHasher(options.permutations);
    this.#shingle = options.shingle;
    this.#ngram = options.ngram;
    const size = Math.max(options.shingle, options.ngram, 1);
    this.#ring0 = new Int32Array(size);
    this.#ring1 = new Int32Array(size);
  }

  beginCase(): void {
    this.minhash.reset();
    this.words = 0;
    this.chars = 0;
  }

  /** Adds one field's text; `onNgram` gets each n-gram's hash (high and low 32 bits). */
  addText(text: string, onNgram?: (hi: number, lo: number) => void): void {
    this.chars += text.length;
    this.#count = 0;
    this.#onNgram = onNgram;
    scanWords(text, this.#onToken);
    const count = this.#count;
    if (count > 0 && count < this.#shingle) this.minhash.add(mix32(this.#window0(count) ^ 0x51ed27));
    if (onNgram && this.#ngram > 0 && count >= MIN_WHOLE_FIELD_NGRAM && count < this.#ngram) {
      onNgram(mix32(this.#window0(count) ^ 0x7a3c), mix32(this.#window1(count) ^ 0x3b9e));
    }
    this.words += count;
  }

  readonly #onToken = (normalised: string, start: number, end: number): void => {
    hashString64(normalised, this.#token, start, end);
    const size = this.#ring0.length;
    const at = this.#count % size;
    this.#ring0[at] = this.#token[0]!;
    this.#ring1[at] = this.#token[1]!;
    this.#count++;
    if (this.#count >= this.#shingle) this.minhash.add(mix32(this.#window0(this.#shingle)));
    if (this.#onNgram && this.#ngram > 0 && this.#count >= this.#ngram) {
      this.#onNgram(mix32(this.#window0(this.#ngram)), mix32(this.#window1(this.#ngram)));
    }
  };

  /** Hash of the last `length` token hashes (first halves), in order, seeded with the length. */
  #window0(length: number): number {
    const size = this.#ring0.length;
    let hash = length;
    for (let i = this.#count - length; i < this.#count; i++) hash = combine32(hash, this.#ring0[i % size]!);
    return hash;
  }

  #window1(length: number): number {
    const size = this.#ring1.length;
    let hash = length ^ 0x6a09e667;
    for (let i = this.#count - length; i < this.#count; i++) hash = combine32(hash, this.#ring1[i % size]!);
    return hash;
  }
}
