import { type FileHandle, lstat, mkdir, mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { AtomicFileWriter, artifactNameSchema, InputError, type Logger } from "@llmops/core";
import { caseId, LineSplitter, MAX_CASE_LINE_BYTES, validateCaseRow } from "@llmops/eval";
import { AliasConflictError, type Store, type VersionResult } from "@llmops/store";
import { HashSet64 } from "../shared/hash-set64.ts";
import { DatasetMovedError, FeedbackRejectedError } from "./errors.ts";
import { type BadReason, parseFeedbackLine } from "./event.ts";
import { ModelLookup } from "./models.ts";
import { type BadLine, type FeedbackIngestResult, feedbackIngestResultSchema } from "./result.ts";
import { contentKey, idKey, type Key64 } from "./text.ts";
import { type CaseStats, defaultRedactor, eventToCase, FEEDBACK_ID_PREFIX, type Redactor } from "./to-case.ts";
import { isVersionOf } from "./version-metadata.ts";

export interface IngestFeedbackOptions {
  store: Store;
  /** The dataset (artifact name) the cases are added to; its `latest` is extended and moved. */
  dataset: string;
  /** A feedback file's path, or its bytes as a stream (stdin). */
  events: string | AsyncIterable<Uint8Array>;
  /** Names the events in messages (default: the path, or `stdin`). */
  eventsName?: string;
  /** The cases file inside the dataset version (default cases.jsonl). */
  file?: string;
  /** Refuse events without `consent: true` (default false; `consent: false` is always refused). */
  requireConsent?: boolean;
  /** Redact personal data (default true). */
  redact?: boolean;
  /** Lines longer than this are bad events (default 1 MiB). */
  maxLineBytes?: number;
  /** How many bad lines the result lists (default 20); all are counted. */
  maxBadLines?: number;
  /** Distinct model refs looked up in the store (default 256). */
  maxModels?: number;
  /** Where the new version is assembled (default the system temp directory). */
  tmpDir?: string;
  /** For the version's metadata, as `Store.version` takes them. */
  created?: string;
  git?: { commit?: string; ref?: string };
  runUrl?: string;
  actor?: string;
  logger: Logger;
  signal?: AbortSignal;
}

export const DEFAULT_CASES_FILE = "cases.jsonl";
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;
export const DEFAULT_MAX_BAD_LINES = 20;
export const DEFAULT_MAX_MODELS = 256;

/** A relative POSIX path of plain segments (none hidden, none `..`), ending in .jsonl. */
const CASES_FILE_PATTERN = /^(?:[A-Za-z0-9_][A-Za-z0-9._-]*\/)*[A-Za-z0-9_][A-Za-z0-9._-]*\.jsonl$/;
/** Output is handed to the file in pieces of about this size: few writes, little held. */
const WRITE_BATCH_CHARS = 64 * 1024;
const READ_CHUNK_BYTES = 64 * 1024;

/**
 * `llmops feedback ingest`: feedback events (JSONL, event.ts) become cases in a new version of
 * `dataset`, on top of the cases its `latest` holds, and `latest` moves to it (compare-and-swap).
 *
 * Streams: events are read a chunk at a time and each new case is written to a temp file as it
 * comes; duplicates are found with a set of 64-bit hashes (request id, normalized input and
 * expected value), so memory grows by 8-16 bytes per case and nothing else. Bad events are
 * counted by reason and listed (the first few) with their line numbers; they never stop the
 * ingest, but a file of nothing but bad events is refused (FeedbackRejectedError). When no event
 * adds a case nothing is written and `version` is null.
 */
export async function ingestFeedback(options: IngestFeedbackOptions): Promise<FeedbackIngestResult> {
  const { store, logger } = options;
  const dataset = options.dataset;
  if (!artifactNameSchema.safeParse(dataset).success) {
    throw new InputError(`dataset "${dataset}": expected an artifact name (lowercase letters, digits, . _ - / separators)`);
  }
  const file = options.file ?? DEFAULT_CASES_FILE;
  if (file.length > 255 || !CASES_FILE_PATTERN.test(file)) {
    throw new InputError(
      `cases file "${file}": expected a relative path ending in .jsonl (letters, digits, . _ - and /, no hidden or .. segments)`,
    );
  }
  const redact = options.redact ?? true;
  const requireConsent = options.requireConsent ?? false;
  const eventsName = options.eventsName ?? (typeof options.events === "string" ? options.events : "stdin");

  const { base, latest } = await previousVersion(store, dataset);
  // Opened before anything is staged, so a wrong path fails first and leaves nothing behind.
  const source = typeof options.events === "string" ? await openEvents(options.events, eventsName) : undefined;
  let stage: string | undefined;
  try {
    stage = await mkdtemp(join(options.tmpDir ?? tmpdir(), "llmops-feedback-"));
    const tree = join(stage, "version");
    let previous: { ref: string; digest: string } | null = null;
    if (base) {
      const materialized = await store.materialize(`${dataset}@${base}`, tree, options.signal ? { signal: options.signal } : {});
      previous = { ref: materialized.version ? `${dataset}:${materialized.version}` : `${dataset}@${base}`, digest: base };
    } else await mkdir(tree);

    const target = join(tree, ...file.split("/"));
    const hasPrevious = await existingFile(target, `${previous?.ref ?? dataset}: ${file}`);
    const writer = await AtomicFileWriter.open(target);
    const run = new IngestRun(writer, {
      store,
      redactor: redact ? defaultRedactor : undefined,
      requireConsent,
      maxBadLines: options.maxBadLines ?? DEFAULT_MAX_BAD_LINES,
      maxModels: options.maxModels ?? DEFAULT_MAX_MODELS,
    });
    try {
      if (hasPrevious) await run.carry(target, `${previous!.ref}/${file}`, options.signal);
      const events = source ? chunksOf(source, eventsName) : options.events;
      await run.ingest(events as AsyncIterable<Uint8Array>, options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES, options.signal);
      if (run.read > 0 && run.bad === run.read) throw new FeedbackRejectedError(run.rejection(eventsName));
      if (run.added === 0) await writer.abort();
      else await run.finish();
    } catch (error) {
      await writer.abort();
      throw error;
    }

    const common = { dataset, file, previous, redacted: redact, requireConsent };
    if (run.added === 0) {
      logger.info(
        run.read === 0
          ? `feedback ${eventsName}: no events; ${dataset} unchanged`
          : `feedback ${eventsName}: no new cases (${run.duplicates.total} duplicates, ${run.bad} bad); ${dataset} unchanged`,
      );
      return run.result({ ...common, version: null, parents: [] });
    }
    // The last point where stopping leaves the store as it was.
    options.signal?.throwIfAborted();
    const modelParents = run.modelParents();
    const version: VersionResult = await store.version({
      path: tree,
      name: dataset,
      kind: "dataset",
      parents: [...(base ? [`${dataset}@${base}`] : []), ...modelParents],
      params: {
        feedback: {
          events: typeof options.events === "string" ? basename(options.events) : eventsName,
          added: run.added,
          redacted: redact,
          requireConsent,
        },
      },
      ...(options.created ? { created: options.created } : {}),
      ...(options.git ? { git: options.git } : {}),
      ...(options.runUrl ? { runUrl: options.runUrl } : {}),
      ...(options.actor ? { actor: options.actor } : {}),
    });
    try {
      await store.tag(`${dataset}@${version.digest}`, "latest", {
        expect: latest,
        ...(options.actor ? { actor: options.actor } : {}),
        ...(options.runUrl ? { runUrl: options.runUrl } : {}),
      });
    } catch (error) {
      if (!(error instanceof AliasConflictError)) throw error;
      throw new DatasetMovedError(
        `dataset ${dataset}:latest moved to ${error.found ?? "nothing"} during the ingest (expected ${latest ?? "nothing"}); ${version.ref} holds this ingest's cases on top of ${previous?.ref ?? "nothing"} but latest was left alone; run the ingest again`,
        version.ref,
        error.found,
      );
    }
    logger.info(
      `feedback ${eventsName}: ${version.ref} ${version.digest}: ${run.added} new cases, ${run.carried} carried, ${run.duplicates.total} duplicates, ${run.bad} bad`,
    );
    return run.result({
      ...common,
      version: { ref: version.ref, digest: version.digest },
      parents: version.parents.map((p) => ({ ref: p.ref ?? `${dataset}@${p.digest}`, digest: p.digest })),
    });
  } finally {
    await source?.close().catch(() => {});
    if (stage) await rm(stage, { recursive: true, force: true });
  }
}

/** One ingest's state: the output, the duplicate keys, the counters. */
class IngestRun {
  readonly #out: AtomicFileWriter;
  readonly #redactor: Redactor | undefined;
  readonly #requireConsent: boolean;
  readonly #maxBadLines: number;
  readonly #models: ModelLookup;
  readonly #maxModels: number;
  /** Request-id and content keys of every case in the version so far (domain-separated: text.ts). */
  // Fuller than the default: ids and contents of a million events, where memory matters more than probes.
  readonly #seen = new HashSet64(4096, { maxLoad: 0.75 });
  /** Models of the cases added (lineage: the models whose outputs are in the version). */
  readonly #usedModels = new Set<string>();
  readonly #stats: CaseStats = { redactions: new Map(), sanitized: 0 };
  readonly #badByReason = new Map<BadReason, number>();
  readonly #badLines: BadLine[] = [];
  #pending = "";
  read = 0;
  added = 0;
  carried = 0;
  bad = 0;
  readonly duplicates = { total: 0, requestId: 0, content: 0 };

  constructor(
    out: AtomicFileWriter,
    options: { store: Store; redactor: Redactor | undefined; requireConsent: boolean; maxBadLines: number; maxModels: number },
  ) {
    this.#out = out;
    this.#redactor = options.redactor;
    this.#requireConsent = options.requireConsent;
    this.#maxBadLines = options.maxBadLines;
    this.#maxModels = options.maxModels;
    this.#models = new ModelLookup(options.store, { maxModels: options.maxModels });
  }

  /**
   * The previous version's cases, copied line for line (so they keep their bytes and their ids),
   * each registered as a duplicate key. They were valid cases once; one that is not any more is
   * an error naming its line (eval would refuse the file too), not something to drop.
   */
  async carry(path: string, shownAs: string, signal: AbortSignal | undefined): Promise<void> {
    const lines: { text: string; line: number }[] = [];
    const splitter = new LineSplitter((text, line) => lines.push({ text, line }), { maxLineBytes: MAX_CASE_LINE_BYTES });
    const handle = await open(path, "r");
    try {
      for await (const chunk of readChunks(handle)) {
        signal?.throwIfAborted();
        splitter.push(chunk);
        await this.#carryLines(lines, shownAs);
      }
      splitter.end();
      await this.#carryLines(lines, shownAs);
    } finally {
      await handle.close();
    }
  }

  async #carryLines(lines: { text: string; line: number }[], shownAs: string): Promise<void> {
    for (const { text, line } of lines) {
      if (text.trim() === "") continue;
      const at = { file: shownAs, line, column: 1 };
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new InputError(`${shownAs}:${line}: expected one JSON case per line`);
      }
      const config = validateCaseRow({ value, yamlPath: `[${this.carried}]`, locate: () => at });
      const id = config.id ?? caseId(config.vars, config.expected);
      this.#seen.add(...pair(idKey(id)));
      this.#seen.add(...pair(contentKey(config.vars, config.expected, text)));
      this.carried++;
      await this.#write(`${text}\n`);
    }
    lines.length = 0;
  }

  /** Reads the events a chunk at a time; each chunk's lines are handled before the next is read. */
  async ingest(events: AsyncIterable<Uint8Array>, maxLineBytes: number, signal: AbortSignal | undefined): Promise<void> {
    // `text` undefined: a line over maxLineBytes, skipped unread by the splitter.
    const lines: { text: string | undefined; line: number }[] = [];
    const splitter = new LineSplitter((text, line) => lines.push({ text, line }), {
      maxLineBytes,
      onTooLong: (line) => lines.push({ text: undefined, line }),
    });
    for await (const chunk of events) {
      signal?.throwIfAborted();
      splitter.push(chunk);
      await this.#events(lines, maxLineBytes);
    }
    splitter.end();
    await this.#events(lines, maxLineBytes);
  }

  async #events(lines: { text: string | undefined; line: number }[], maxLineBytes: number): Promise<void> {
    for (const { text, line } of lines) {
      if (text === undefined) {
        this.read++;
        this.#bad(line, "too-long", `expected lines of at most ${maxLineBytes} bytes`);
        continue;
      }
      if (text.trim() === "") continue;
      this.read++;
      await this.#event(text, line);
    }
    lines.length = 0;
  }

  async #event(text: string, line: number): Promise<void> {
    const parsed = parseFeedbackLine(text);
    if (!parsed.ok) return this.#bad(line, parsed.reason, parsed.message);
    const event = parsed.event;
    if (event.consent === false) return this.#bad(line, "no-consent", "consent: false (the user declined; never ingested)");
    if (this.#requireConsent && event.consent !== true)
      return this.#bad(line, "no-consent", "consent: missing; expected true (--require-consent)");
    const status = await this.#models.status(event.model);
    if (status === "unknown") return this.#bad(line, "unknown-model", "model: not a model version in the store (name@digest)");
    if (status === "over-limit") return this.#bad(line, "model-limit", `model: more than ${this.#maxModels} distinct models in one ingest`);

    const built = eventToCase(event, this.#redactor, this.#stats);
    // By the request id as sent, even when the case is named otherwise (to-case.ts): the key is a
    // hash held in memory only, so personal data in an id is compared but never written.
    const id = idKey(`${FEEDBACK_ID_PREFIX}${event.requestId}`);
    if (this.#seen.has(id.hi, id.lo)) {
      this.duplicates.total++;
      this.duplicates.requestId++;
      return;
    }
    const content = contentKey(built.vars, built.expected, text);
    if (!this.#seen.add(content.hi, content.lo)) {
      this.duplicates.total++;
      this.duplicates.content++;
      return;
    }
    this.#seen.add(id.hi, id.lo);
    if (this.#usedModels.size < this.#maxModels) this.#usedModels.add(event.model);
    this.added++;
    await this.#write(`${JSON.stringify(built)}\n`);
  }

  #bad(line: number, reason: BadReason, message: string): void {
    this.bad++;
    this.#badByReason.set(reason, (this.#badByReason.get(reason) ?? 0) + 1);
    if (this.#badLines.length < this.#maxBadLines) this.#badLines.push({ line, reason, message });
  }

  async #write(text: string): Promise<void> {
    this.#pending += text;
    if (this.#pending.length < WRITE_BATCH_CHARS) return;
    const batch = this.#pending;
    this.#pending = "";
    await this.#out.write(batch);
  }

  async finish(): Promise<void> {
    if (this.#pending) await this.#out.write(this.#pending);
    this.#pending = "";
    await this.#out.finish();
  }

  /** Models whose outputs are in the new cases, sorted, as parent refs. */
  modelParents(): string[] {
    return [...this.#usedModels].sort();
  }

  /** One line: how many events, why they were bad, and the first one. */
  rejection(eventsName: string): string {
    const reasons = [...this.#badByReason].map(([reason, n]) => `${n} ${reason}`).join(", ");
    const first = this.#badLines[0];
    return `feedback ${eventsName}: all ${this.read} events are bad (${reasons})${first ? `; first: line ${first.line}: ${first.message}` : ""}`;
  }

  result(
    fields: Pick<FeedbackIngestResult, "dataset" | "file" | "previous" | "redacted" | "requireConsent" | "version" | "parents">,
  ): FeedbackIngestResult {
    const byKind = Object.fromEntries([...this.#stats.redactions].sort(([a], [b]) => (a < b ? -1 : 1)));
    return feedbackIngestResultSchema.parse({
      schemaVersion: 1,
      ...fields,
      counts: {
        read: this.read,
        added: this.added,
        carried: this.carried,
        duplicates: { ...this.duplicates },
        bad: { total: this.bad, byReason: Object.fromEntries(this.#badByReason) },
        redactions: { total: [...this.#stats.redactions.values()].reduce((s, n) => s + n, 0), byKind },
        sanitized: this.#stats.sanitized,
      },
      badLines: this.#badLines,
      unknownModels: { total: this.#models.unknownCount, first: this.#models.unknown(10) },
    });
  }
}

function pair(key: Key64): [number, number] {
  return [key.hi, key.lo];
}

/**
 * The version the new one extends (`base`) and what `latest` points at now (`latest`, the
 * compare-and-swap's expectation): `latest`, or while a dataset has versions but no `latest`
 * yet, its newest `vN` (its cases are not dropped for want of an alias). Either must be a dataset
 * version of this very name: a model's repository is not extended with cases.
 */
async function previousVersion(store: Store, dataset: string): Promise<{ base: string | null; latest: string | null }> {
  const latest = await store.metadata(dataset, "latest");
  let info = latest;
  let reference = "latest";
  if (!info) {
    const newest = (await store.list(dataset))[0];
    if (!newest) return { base: null, latest: null };
    info = await store.metadata(dataset, newest.digest);
    reference = newest.version;
    if (!info) throw new InputError(`dataset ${dataset}:${newest.version}: listed but not found in store ${store.location}`);
  }
  if (!isVersionOf(info, dataset, "dataset")) {
    throw new InputError(
      `dataset ${dataset}:${reference}: is a ${info.metadata.kind} version of ${info.metadata.name}; expected a dataset named ${dataset}`,
    );
  }
  return { base: info.digest, latest: latest?.digest ?? null };
}

/** Opens the feedback file, or an InputError naming it. */
async function openEvents(path: string, name: string): Promise<FileHandle> {
  try {
    const handle = await open(path, "r");
    const stat = await handle.stat();
    if (stat.isDirectory()) {
      await handle.close();
      throw new InputError(`feedback file ${name}: is a directory; expected a JSONL file of feedback events`);
    }
    return handle;
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`feedback file ${name}: ${code === "ENOENT" ? "does not exist" : `cannot be read (${code})`}`);
  }
}

/** A file's bytes a chunk at a time into one reused buffer (LineSplitter copies what it keeps). */
async function* readChunks(handle: FileHandle): AsyncGenerator<Uint8Array> {
  const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
    if (bytesRead === 0) return;
    yield buffer.subarray(0, bytesRead);
  }
}

async function* chunksOf(handle: FileHandle, name: string): AsyncGenerator<Uint8Array> {
  try {
    yield* readChunks(handle);
  } catch (error) {
    throw new InputError(`feedback file ${name}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/**
 * Whether the previous version has the cases file: true for a regular file, false when absent;
 * a directory (or anything else) at that path is an error naming it.
 */
async function existingFile(path: string, shownAs: string): Promise<boolean> {
  try {
    const st = await lstat(path);
    if (st.isFile()) return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw new InputError(
      `${shownAs}: cannot be read (${(error as NodeJS.ErrnoException).code}); expected the cases file (or nothing) at that path`,
    );
  }
  throw new InputError(`${shownAs}: is not a file; expected the cases file (or nothing) at that path`);
}
