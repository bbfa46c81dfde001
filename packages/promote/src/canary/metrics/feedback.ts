import { constants } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { resolve } from "node:path";
import { type CanaryMetricConfig, InputError } from "@llmops/core";
import { LineSplitter, type Sample } from "@llmops/eval";
import {
  type MetricReading,
  type MetricSource,
  type MetricSourceContext,
  MetricSourceError,
  type VariantIdentity,
} from "../metric-source.ts";

/**
 * A canary metric from a JSONL file of feedback events (`{"variant": "canary", "at": "…",
 * "thumbsUp": true}`), per variant. `field`, `variantField` and `timeField` are dotted paths into
 * each event. A variant is named by the router's server name for its slot, the words
 * stable/canary, or the digest of the version it served. Events before the rollout started are
 * skipped; events without a time (or with null) are counted. The metric is a proportion (every
 * value true/false or 0/1) or a mean (numbers, true/false as 1/0; Welford's moments) as `kind`
 * says. With `kind: proportion` a number other than 0 and 1 is a bad line: live events cannot be
 * read again, so one odd event must not hold the rollout (`llmops ab analyze`, reading a log that
 * can be fixed and read again, refuses it instead). Without `kind` the values decide, and a file
 * mixing true/false with other numbers is an error.
 *
 * The file is the repository owner's, but its events come from production: a line that is not an
 * event (not JSON, a value missing or of the wrong type, longer than MAX_FEEDBACK_LINE_BYTES) is
 * counted, reported once as a warning with its number, and skipped; no value from the file ever
 * reaches a message. Only what the file held when opened is read, and only a regular file (a FIFO
 * or a device would never end), so a read is bounded.
 */

/** Longest event line counted; a longer one is a bad line, skipped without being held in memory. */
export const MAX_FEEDBACK_LINE_BYTES = 1024 * 1024;
/** Bad lines named in the warning; the rest are counted. */
const SHOWN_BAD_LINES = 5;
const CHUNK_BYTES = 64 * 1024;
/** Epoch milliseconds below this are before 1973: seconds given as milliseconds, most likely. */
const EPOCH_MS_FLOOR = 1e11;
/** ISO 8601 date, or date-time with a zone: one without a zone names no instant. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

type Slot = "stable" | "canary";

interface BadLine {
  line: number;
  reason: string;
}

/** One variant's values so far: counts for a proportion, Welford's running mean and M2 for a mean. */
class Tally {
  n = 0;
  successes = 0;
  mean = 0;
  m2 = 0;

  add(value: number): void {
    this.n++;
    if (value === 1) this.successes++;
    const delta = value - this.mean;
    this.mean += delta / this.n;
    this.m2 += delta * (value - this.mean);
  }
}

export function createFeedbackSource(metric: CanaryMetricConfig): MetricSource {
  const feedback = metric.feedback;
  if (!feedback) throw new InputError(`metric ${metric.name} has no feedback source`);
  const paths = {
    field: dottedPath(metric.name, "field", feedback.field),
    variant: dottedPath(metric.name, "variantField", feedback.variantField),
    time: dottedPath(metric.name, "timeField", feedback.timeField),
  };
  return {
    async read(context: MetricSourceContext): Promise<MetricReading> {
      const path = resolve(context.configDir, feedback.file);
      const since = context.since.getTime();
      const tallies: Record<Slot, Tally> = { stable: new Tally(), canary: new Tally() };
      // Only the first few bad lines are kept (they are shown); the rest are counted.
      const bad: BadLine[] = [];
      let badCount = 0;
      const noteBad = (entry: BadLine) => {
        badCount += 1;
        if (bad.length < SHOWN_BAD_LINES) bad.push(entry);
      };
      // The first line of each kind of value, to name them when a file mixes them.
      const kinds: { boolean?: number; number?: number } = {};
      let lines = 0;
      let early = 0;
      let others = 0;

      const onLine = (text: string, line: number): void => {
        lines = line;
        if (text.trim() === "") return;
        let event: unknown;
        try {
          event = JSON.parse(text);
        } catch {
          noteBad({ line, reason: "not JSON" });
          return;
        }
        if (!isRecord(event)) {
          noteBad({ line, reason: "not a JSON object" });
          return;
        }
        const time = valueAt(event, paths.time);
        if (time !== undefined && time !== null) {
          const at = eventTime(time);
          if (typeof at === "string") {
            noteBad({ line, reason: `${feedback.timeField}: ${at}` });
            return;
          }
          if (at < since) {
            early++;
            return;
          }
        }
        const name = valueAt(event, paths.variant);
        if (typeof name !== "string") {
          noteBad({ line, reason: `${feedback.variantField}: missing or not a string` });
          return;
        }
        const slot = slotOf(name, context.variants);
        if (slot === "both") {
          noteBad({ line, reason: `${feedback.variantField}: names both variants` });
          return;
        }
        if (slot === undefined) {
          others++;
          return;
        }
        const value = valueAt(event, paths.field);
        if (typeof value === "boolean") {
          // With kind: mean, true/false average as 1/0 (as `llmops ab analyze --kind mean` reads them).
          if (feedback.kind !== "mean") kinds.boolean ??= line;
          tallies[slot].add(value ? 1 : 0);
        } else if (typeof value === "number" && Number.isFinite(value)) {
          if (value !== 0 && value !== 1) {
            if (feedback.kind === "proportion") {
              noteBad({ line, reason: `${feedback.field}: a number other than 0 and 1, but kind is proportion` });
              return;
            }
            kinds.number ??= line;
          }
          tallies[slot].add(value);
        } else {
          noteBad({ line, reason: `${feedback.field}: ${value === undefined ? "missing" : "not a number or true/false"}` });
        }
      };
      const splitter = new LineSplitter(onLine, {
        maxLineBytes: MAX_FEEDBACK_LINE_BYTES,
        onTooLong: (line) => {
          lines = line;
          noteBad({ line, reason: `longer than ${MAX_FEEDBACK_LINE_BYTES} bytes` });
        },
      });
      await readFile(metric.name, feedback.file, path, (chunk) => splitter.push(chunk), context.signal);
      splitter.end();

      if (kinds.boolean !== undefined && kinds.number !== undefined)
        throw new MetricSourceError(
          metric.name,
          `${feedback.file}: ${feedback.field} is true/false on line ${kinds.boolean} and a number other than 0 and 1 on line ${kinds.number}; expected one kind of value (a proportion or a mean)`,
        );
      if (badCount > 0) {
        const shown = bad.map((b) => `line ${b.line} (${b.reason})`);
        const more = badCount > bad.length ? `, and ${badCount - bad.length} more` : "";
        context.logger.warn(
          `metric ${metric.name}: ${badCount} of ${lines} lines of ${feedback.file} not counted: ${shown.join(", ")}${more}`,
        );
      }
      context.logger.debug(
        `metric ${metric.name}: ${feedback.file}: ${tallies.stable.n} stable and ${tallies.canary.n} canary events counted, ${early} before the rollout and ${others} of other variants skipped`,
      );
      const kind = feedback.kind ?? (kinds.number !== undefined ? "mean" : "proportion");
      return {
        stable: sample(metric.name, tallies.stable, kind),
        canary: sample(metric.name, tallies.canary, kind),
        sources: [`${feedback.file}: ${feedback.field} by ${feedback.variantField} since ${context.since.toISOString()}`],
      };
    },
  };
}

/** Pushes what the file holds when opened, in chunks (the chunk's memory is reused: the splitter copies what it keeps). */
async function readFile(
  metric: string,
  file: string,
  path: string,
  push: (chunk: Uint8Array) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  let handle: FileHandle;
  try {
    // Non-blocking, so that opening a FIFO returns (and is then refused) instead of waiting for a writer.
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new MetricSourceError(metric, `feedback file ${file} does not exist (${path})`, { cause: error });
    throw new MetricSourceError(metric, `feedback file ${file} cannot be opened (${code ?? (error as Error).message})`, { cause: error });
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new MetricSourceError(metric, `feedback file ${file} is not a regular file (${path})`);
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    for (let position = 0; position < stat.size; ) {
      if (signal?.aborted) throw new MetricSourceError(metric, `reading ${file} was aborted`, { cause: signal.reason });
      const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK_BYTES, stat.size - position), position);
      // Truncated while being read: what is left is all there is.
      if (bytesRead === 0) break;
      push(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
  } catch (error) {
    if (error instanceof MetricSourceError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new MetricSourceError(metric, `reading feedback file ${file} failed (${code ?? (error as Error).message})`, { cause: error });
  } finally {
    await handle.close();
  }
}

function sample(metric: string, tally: Tally, kind: "mean" | "proportion"): Sample | null {
  if (tally.n === 0) return null;
  if (kind === "proportion") return { kind, n: tally.n, successes: tally.successes };
  const variance = tally.n < 2 ? 0 : tally.m2 / (tally.n - 1);
  // Finite values can still overflow a sum of squares (1e200²).
  if (!Number.isFinite(tally.mean) || !Number.isFinite(variance))
    throw new MetricSourceError(metric, "the values are too large to average (the mean or variance overflows)");
  return { kind, n: tally.n, mean: tally.mean, variance: Math.max(0, variance) };
}

/** The slot an event's variant names: the router's name first, then the words, then a digest. */
function slotOf(name: string, variants: { stable: VariantIdentity; canary: VariantIdentity }): Slot | "both" | undefined {
  for (const matches of [
    (slot: Slot) => variants[slot].name === name,
    (slot: Slot) => slot === name,
    (slot: Slot) => variants[slot].digest === name,
  ]) {
    const stable = matches("stable");
    const canary = matches("canary");
    if (stable && canary) return "both";
    if (stable) return "stable";
    if (canary) return "canary";
  }
  return undefined;
}

/** Epoch milliseconds of an event's time, or why it is not one. */
function eventTime(value: unknown): number | string {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0) return "not a time";
    if (value < EPOCH_MS_FLOOR) return "epoch seconds? expected milliseconds";
    return value;
  }
  if (typeof value === "string" && ISO_TIME.test(value)) {
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) return ms;
  }
  return "expected ISO 8601 with a time zone, or epoch milliseconds";
}

function dottedPath(metric: string, key: string, path: string): string[] {
  const parts = path.split(".");
  if (parts.some((p) => p === "")) throw new InputError(`metric ${metric}: feedback.${key} "${path}" is not a dotted path (a.b.c)`);
  return parts;
}

/** The value at a dotted path of own properties (never the prototype's: `constructor` is no field). */
function valueAt(value: unknown, path: readonly string[]): unknown {
  let at = value;
  for (const key of path) {
    if (!isRecord(at) || !Object.hasOwn(at, key)) return undefined;
    at = at[key];
  }
  return at;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
