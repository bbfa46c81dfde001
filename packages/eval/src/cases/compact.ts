import type { CaseConfig, ChatMessage, ToolResultFixture } from "@llmops/core";
import { type CaseOrigin, caseId, type EvalCase } from "./types.ts";

/**
 * A case held as plain fields: inline cases, rows of YAML and JSON files, and file rows whose
 * values JSON cannot carry exactly. Its origin is derived when asked for, from its line and its
 * file's rows, or is the origin given.
 */
export class LoadedCase implements EvalCase {
  // Declared, not defined: own keys come in the constructor's order, and the optional ones only when set.
  declare id: string;
  declare index: number;
  declare vars: Record<string, unknown>;
  declare expected?: unknown;
  declare tags: Record<string, string>;
  declare metadata?: Record<string, unknown>;
  declare messages?: ChatMessage[];
  declare toolResults?: ToolResultFixture[];
  readonly #where: CaseOrigin | FileRows;
  readonly #line: number;

  constructor(config: CaseConfig, id: string, index: number, tags: Record<string, string>, where: CaseOrigin | FileRows, line: number) {
    this.id = id;
    this.index = index;
    this.vars = config.vars;
    if (config.expected !== undefined) this.expected = config.expected;
    this.tags = tags;
    if (config.metadata !== undefined) this.metadata = config.metadata;
    if (config.messages !== undefined) this.messages = config.messages;
    if (config.toolResults !== undefined) this.toolResults = config.toolResults;
    this.#where = where;
    this.#line = line;
  }

  get origin(): CaseOrigin {
    const where = this.#where;
    return "yamlPath" in where ? where : where.origin(this.#line, this.index - where.first);
  }
}

/**
 * The rows of one JSONL or CSV cases file: row r is case `first + r`, at `[r]`, column 1.
 * Rows whose values JSON carries exactly are kept as the UTF-8 JSON of their validated fields in
 * a few large buffers (off the JS heap, so a large file adds no garbage-collected objects but one
 * small handle per case), with their line and tag set in a typed array; a `RowCase` reads its
 * fields back from there when asked.
 */
export class FileRows {
  readonly file: string;
  readonly first: number;
  /** Tag sets shared by the cases of a load. */
  readonly #tagSets: readonly Record<string, string>[];
  #blocks: Buffer[] = [];
  #used = 0;
  /** Per row: block, offset, length, line, tag set (NO_TAG_SET: the tags are in the JSON). */
  #slots = new Uint32Array(5 * 1024);
  /** The last row read back, as sequential readers (a task, then the next) read every field of a row in turn. */
  #cachedRow = -1;
  #cached: StoredCase | undefined;

  constructor(file: string, first: number, tagSets: readonly Record<string, string>[]) {
    this.file = file;
    this.first = first;
    this.#tagSets = tagSets;
  }

  origin(line: number, row: number): CaseOrigin {
    return { file: this.file, line, column: 1, yamlPath: `[${row}]` };
  }

  /**
   * Keeps row `row` (at `line`) and returns its case, or undefined when its values are not
   * exactly JSON (a non-finite number or -0, a non-plain object): it is then kept as it is.
   */
  add(row: number, line: number, config: CaseConfig, id: string, tags: Record<string, string>, tagSet: number): EvalCase | undefined {
    if (
      !jsonExact(config.vars) ||
      !jsonExact(config.expected) ||
      !jsonExact(config.metadata) ||
      !jsonExact(config.messages) ||
      !jsonExact(config.toolResults)
    )
      return undefined;
    const stored: StoredCase = {
      i: id,
      v: config.vars,
      ...(config.expected !== undefined ? { e: config.expected } : {}),
      ...(tagSet === NO_TAG_SET ? { t: tags } : {}),
      ...(config.metadata !== undefined ? { m: config.metadata } : {}),
      ...(config.messages !== undefined ? { c: config.messages } : {}),
      ...(config.toolResults !== undefined ? { r: config.toolResults } : {}),
    };
    const json = JSON.stringify(stored);
    const length = Buffer.byteLength(json, "utf8");
    let block = this.#blocks.at(-1);
    if (!block || this.#used + length > block.length) {
      // Not from the shared pool: a block lives as long as the cases. Small files get small blocks.
      block = Buffer.allocUnsafeSlow(Math.max(Math.min(BLOCK_BYTES, FIRST_BLOCK_BYTES << this.#blocks.length), length));
      this.#blocks.push(block);
      this.#used = 0;
    }
    block.write(json, this.#used, length, "utf8");
    if (5 * (row + 1) > this.#slots.length) {
      const slots = new Uint32Array(Math.max(2 * this.#slots.length, 5 * (row + 1)));
      slots.set(this.#slots);
      this.#slots = slots;
    }
    const at = 5 * row;
    this.#slots[at] = this.#blocks.length - 1;
    this.#slots[at + 1] = this.#used;
    this.#slots[at + 2] = length;
    this.#slots[at + 3] = line;
    this.#slots[at + 4] = tagSet;
    this.#used += length;
    return new RowCase(this, row);
  }

  line(row: number): number {
    return this.#slots[5 * row + 3]!;
  }

  tags(row: number): Record<string, string> {
    const set = this.#slots[5 * row + 4]!;
    return set === NO_TAG_SET ? (this.read(row).t ?? {}) : this.#tagSets[set]!;
  }

  read(row: number): StoredCase {
    if (row === this.#cachedRow) return this.#cached!;
    const at = 5 * row;
    const start = this.#slots[at + 1]!;
    const stored = JSON.parse(this.#blocks[this.#slots[at]!]!.toString("utf8", start, start + this.#slots[at + 2]!)) as StoredCase;
    this.#cachedRow = row;
    this.#cached = stored;
    return stored;
  }
}

/** `tagSet` of a row whose tags are not shared. */
export const NO_TAG_SET = 0xffffffff;

const FIRST_BLOCK_BYTES = 16 * 1024;
const BLOCK_BYTES = 1024 * 1024;

/** A row as kept: id, vars, expected, tags when not shared, metadata, conversation messages, tool results. */
interface StoredCase {
  i: string;
  v: Record<string, unknown>;
  e?: unknown;
  t?: Record<string, string>;
  m?: Record<string, unknown>;
  c?: ChatMessage[];
  r?: ToolResultFixture[];
}

/** A case kept in its file's rows: every field is read back from there. */
class RowCase implements EvalCase {
  readonly #rows: FileRows;
  readonly #row: number;

  constructor(rows: FileRows, row: number) {
    this.#rows = rows;
    this.#row = row;
  }

  get id(): string {
    return this.#rows.read(this.#row).i;
  }

  get index(): number {
    return this.#rows.first + this.#row;
  }

  get vars(): Record<string, unknown> {
    return this.#rows.read(this.#row).v;
  }

  get expected(): unknown {
    return this.#rows.read(this.#row).e;
  }

  get tags(): Record<string, string> {
    return this.#rows.tags(this.#row);
  }

  get metadata(): Record<string, unknown> | undefined {
    return this.#rows.read(this.#row).m;
  }

  get messages(): ChatMessage[] | undefined {
    return this.#rows.read(this.#row).c;
  }

  get toolResults(): ToolResultFixture[] | undefined {
    return this.#rows.read(this.#row).r;
  }

  get origin(): CaseOrigin {
    return this.#rows.origin(this.#rows.line(this.#row), this.#row);
  }
}

/**
 * Whether `JSON.parse(JSON.stringify(value))` gives `value` back: strings, booleans, null,
 * finite numbers other than -0, arrays of these and plain objects of these (no `__proto__` key).
 * `undefined` counts only at the top, where it means "absent".
 */
function jsonExact(value: unknown): boolean {
  if (value === undefined) return true;
  try {
    return exact(value);
  } catch {
    return false; // nested too deep to walk
  }
}

function exact(value: unknown): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0);
    case "object": {
      if (value === null) return true;
      if (Array.isArray(value)) {
        for (const item of value) if (!exact(item)) return false;
        return true;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) return false;
      for (const key in value) {
        if (key === "__proto__" || !exact((value as Record<string, unknown>)[key])) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/**
 * Finds duplicate ids without keeping them: an open-addressing table of 32-bit id hashes and case
 * indices (typed arrays, off the JS heap); an equal hash is checked against the id itself.
 */
export class IdIndex {
  #indices = new Int32Array(2048);
  #hashes = new Int32Array(2048);
  #size = 0;

  /** The index of an earlier case with this id, or -1 (and `index` is recorded for it). */
  claim(id: string, index: number, idOf: (index: number) => string): number {
    if (2 * (this.#size + 1) > this.#indices.length) this.#grow();
    const hash = hashOf(id);
    const mask = this.#indices.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const stored = this.#indices[slot]!;
      if (stored === 0) {
        this.#indices[slot] = index + 1;
        this.#hashes[slot] = hash;
        this.#size++;
        return -1;
      }
      if (this.#hashes[slot] === hash && idOf(stored - 1) === id) return stored - 1;
    }
  }

  #grow(): void {
    const indices = new Int32Array(2 * this.#indices.length);
    const hashes = new Int32Array(indices.length);
    const mask = indices.length - 1;
    for (let i = 0; i < this.#indices.length; i++) {
      const stored = this.#indices[i]!;
      if (stored === 0) continue;
      let slot = this.#hashes[i]! & mask;
      while (indices[slot] !== 0) slot = (slot + 1) & mask;
      indices[slot] = stored;
      hashes[slot] = this.#hashes[i]!;
    }
    this.#indices = indices;
    this.#hashes = hashes;
  }
}

/** FNV-1a over UTF-16 code units. */
function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash | 0;
}

/** The id of a case: its own, or `caseId(vars, expected)`. */
export function idOf(config: CaseConfig): string {
  return config.id ?? caseId(config.vars, config.expected);
}
