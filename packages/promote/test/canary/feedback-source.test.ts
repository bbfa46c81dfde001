import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { canaryMetricSchema, InputError, type RecordingLogger, recordingLogger } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { type MetricSourceContext, MetricSourceError } from "../../src/canary/metric-source.ts";
import { createFeedbackSource, MAX_FEEDBACK_LINE_BYTES } from "../../src/canary/metrics/feedback.ts";
import { rejection, tempDir } from "../targets/helpers.ts";

const OLD = "sha256:" + "a".repeat(64);
const NEW = "sha256:" + "b".repeat(64);
const SINCE = "2026-12-01T12:00:00.000Z";
const SINCE_MS = Date.UTC(2026, 11, 1, 12, 0, 0);

function source(feedback: Record<string, unknown>) {
  return createFeedbackSource(canaryMetricSchema.parse({ name: "quality", feedback: { file: "feedback.jsonl", ...feedback }, min: 0 }));
}

async function context(
  lines: string[] | string,
  variants = { stable: { name: "blue", digest: OLD }, canary: { name: "green", digest: NEW } },
) {
  const dir = await tempDir("llmops-feedback-");
  await writeFile(join(dir, "feedback.jsonl"), typeof lines === "string" ? lines : `${lines.join("\n")}\n`);
  const ctx: MetricSourceContext & { logger: RecordingLogger } = {
    since: new Date(SINCE),
    now: new Date("2026-12-01T18:00:00.000Z"),
    variants,
    configDir: dir,
    logger: recordingLogger(),
  };
  return ctx;
}

const event = (variant: unknown, value: unknown, at?: unknown) =>
  JSON.stringify({ variant, ok: value, ...(at === undefined ? {} : { at }) });
const warnings = (ctx: { logger: RecordingLogger }) => ctx.logger.lines.filter((l) => l.level === "warn").map((l) => l.message);

describe("feedback metric source", () => {
  it("counts a proportion per variant, naming variants by server name, by the words stable/canary, or by digest", async () => {
    const ctx = await context([
      event("blue", true, "2026-12-01T12:30:00Z"),
      event("stable", true, "2026-12-01T13:00:00.250Z"),
      event(OLD, false),
      event("green", 1, "2026-12-01T12:00:00Z"), // exactly at the start: counted
      event("canary", 0, SINCE_MS + 1),
      event(NEW, true, null), // a null time is no time: counted
      event("green", true, "2026-12-01T14:00:00+02:00"), // 12:00Z
      event("purple", true), // another variant: skipped, not a bad line
      "",
      "   ",
    ]);
    const reading = await source({ field: "ok" }).read(ctx);
    expect(reading.stable).toEqual({ kind: "proportion", n: 3, successes: 2 });
    expect(reading.canary).toEqual({ kind: "proportion", n: 4, successes: 3 });
    expect(reading.sources).toEqual([`feedback.jsonl: ok by variant since ${SINCE}`]);
    expect(warnings(ctx)).toEqual([]);
  });

  it("skips events before the rollout started, whatever the time's form", async () => {
    const ctx = await context([
      event("blue", true, "2026-12-01T11:59:59.999Z"),
      event("blue", true, "2026-12-01T12:30:00+01:00"), // 11:30Z
      event("blue", true, SINCE_MS - 1),
      event("green", true, "2026-11-30"), // a date: its midnight, UTC
      event("blue", false, "2026-12-01T12:00:00.001Z"),
    ]);
    const reading = await source({ field: "ok" }).read(ctx);
    expect(reading.stable).toEqual({ kind: "proportion", n: 1, successes: 0 });
    expect(reading.canary).toBeNull();
  });

  it("averages other numbers (mean and n − 1 variance, hand-computed) at dotted paths", async () => {
    const line = (variant: string, latency: number) =>
      JSON.stringify({ meta: { arm: variant, ts: "2026-12-01T13:00:00Z" }, metrics: { latency_ms: latency } });
    const ctx = await context([...[0, 1, 2].map((v) => line("blue", v)), ...[2, 4, 4, 4, 5, 5, 7, 9].map((v) => line("green", v))]);
    const reading = await source({ field: "metrics.latency_ms", variantField: "meta.arm", timeField: "meta.ts" }).read(ctx);
    // stable: 0 and 1 among other numbers are numbers; mean 1, variance (1² + 0² + 1²) / 2 = 1.
    expect(reading.stable).toEqual({ kind: "mean", n: 3, mean: 1, variance: 1 });
    // canary: mean 40 / 8 = 5; squared deviations 9+1+1+1+0+0+4+16 = 32; variance 32 / 7.
    expect(reading.canary).toMatchObject({ kind: "mean", n: 8, mean: 5 });
    expect(reading.canary!.kind === "mean" && reading.canary!.variance).toBeCloseTo(32 / 7, 12);

    const one = await context([line("green", 7)]);
    expect((await source({ field: "metrics.latency_ms", variantField: "meta.arm", timeField: "meta.ts" }).read(one)).canary).toEqual({
      kind: "mean",
      n: 1,
      mean: 7,
      variance: 0,
    });
  });

  it("counts bad lines, skips them, and warns once with the first line numbers and reasons, never a value", async () => {
    const ctx = await context([
      event("blue", true),
      "{not json",
      "[1, 2]",
      event("blue", "0.5"),
      JSON.stringify({ variant: "green" }),
      JSON.stringify({ ok: true }),
      event(42, true),
      event("green", true, "yesterday"),
      event("green", true, "2026-12-01T13:00:00"),
      event("green", true, 1796300000),
      `{"variant":"green","ok":true,"pad":"${"x".repeat(MAX_FEEDBACK_LINE_BYTES)}"}`,
      event("green", null),
      event("green", true),
      JSON.stringify({ variant: "green", ok: true, constructor: 1 }),
    ]);
    const reading = await source({ field: "ok" }).read(ctx);
    expect(reading.stable).toEqual({ kind: "proportion", n: 1, successes: 1 });
    expect(reading.canary).toEqual({ kind: "proportion", n: 2, successes: 2 });
    expect(warnings(ctx)).toEqual([
      "metric quality: 11 of 14 lines of feedback.jsonl not counted: line 2 (not JSON), line 3 (not a JSON object), line 4 (ok: not a number or true/false), line 5 (ok: missing), line 6 (variant: missing or not a string), and 6 more",
    ]);
    expect(warnings(ctx)[0]).not.toContain("0.5");
  });

  it("names the reasons of time and length problems", async () => {
    const ctx = await context([
      event("green", true, "yesterday"),
      event("green", true, "2026-12-01T13:00:00"),
      event("green", true, 1796300000),
      `{"pad":"${"x".repeat(MAX_FEEDBACK_LINE_BYTES)}"}`,
      event("green", {}),
    ]);
    await source({ field: "ok" }).read(ctx);
    expect(warnings(ctx)).toEqual([
      `metric quality: 5 of 5 lines of feedback.jsonl not counted: line 1 (at: expected ISO 8601 with a time zone, or epoch milliseconds), line 2 (at: expected ISO 8601 with a time zone, or epoch milliseconds), line 3 (at: epoch seconds? expected milliseconds), line 4 (longer than ${MAX_FEEDBACK_LINE_BYTES} bytes), line 5 (ok: not a number or true/false)`,
    ]);
  });

  it("an event naming a digest both slots serve is ambiguous: a bad line", async () => {
    const ctx = await context([event(NEW, true), event("canary", true)], {
      stable: { name: "stable", digest: NEW },
      canary: { name: "canary", digest: NEW },
    });
    const reading = await source({ field: "ok" }).read(ctx);
    expect(reading).toMatchObject({ stable: null, canary: { kind: "proportion", n: 1 } });
    expect(warnings(ctx)).toEqual(["metric quality: 1 of 2 lines of feedback.jsonl not counted: line 1 (variant: names both variants)"]);
  });

  it("refuses a metric mixing true/false with other numbers, naming a line of each", async () => {
    const ctx = await context([event("blue", 1), event("blue", true), event("green", 0), event("green", 4.5)]);
    const error = await rejection(source({ field: "ok" }).read(ctx));
    expect(error).toBeInstanceOf(MetricSourceError);
    expect(error.message).toBe(
      "metric quality: feedback.jsonl: ok is true/false on line 2 and a number other than 0 and 1 on line 4; expected one kind of value (a proportion or a mean)",
    );
  });

  it("with kind: mean a rating scale whose values so far are all 0/1 is still a mean, and true/false count as 1/0", async () => {
    const ctx = await context([
      event("blue", 1),
      event("blue", 1),
      event("green", 0),
      event("green", 1),
      event("green", true),
      event("green", 4),
    ]);
    const reading = await source({ field: "ok", kind: "mean" }).read(ctx);
    expect(reading.stable).toEqual({ kind: "mean", n: 2, mean: 1, variance: 0 });
    expect(reading.canary).toMatchObject({ kind: "mean", n: 4, mean: 1.5 });
    expect(warnings(ctx)).toEqual([]);
    // Without kind the same values read as a proportion: the ambiguity kind removes.
    expect((await source({ field: "ok" }).read(await context([event("blue", 1), event("green", 0)]))).stable).toMatchObject({
      kind: "proportion",
    });
  });

  it("with kind: proportion a number other than 0 and 1 is a bad line, not a switch to a mean", async () => {
    const ctx = await context([event("blue", 1), event("blue", true), event("green", 0), event("green", 4.5)]);
    const reading = await source({ field: "ok", kind: "proportion" }).read(ctx);
    expect(reading.stable).toEqual({ kind: "proportion", n: 2, successes: 2 });
    expect(reading.canary).toEqual({ kind: "proportion", n: 1, successes: 0 });
    expect(warnings(ctx)).toEqual([
      "metric quality: 1 of 4 lines of feedback.jsonl not counted: line 4 (ok: a number other than 0 and 1, but kind is proportion)",
    ]);
    expect(() => canaryMetricSchema.parse({ name: "q", feedback: { file: "f", field: "ok", kind: "rate" }, min: 0 })).toThrow();
  });

  it("refuses values whose moments overflow", async () => {
    const ctx = await context([event("blue", 1e200), event("blue", -1e200)]);
    expect((await rejection(source({ field: "ok" }).read(ctx))).message).toBe(
      "metric quality: the values are too large to average (the mean or variance overflows)",
    );
  });

  it("a missing file, a directory and a FIFO are MetricSourceErrors, and nothing waits on the FIFO", async () => {
    const ctx = await context([]);
    const missing = await rejection(source({ field: "ok", file: "nope.jsonl" }).read(ctx));
    expect(missing).toBeInstanceOf(MetricSourceError);
    expect(missing.message).toBe(`metric quality: feedback file nope.jsonl does not exist (${join(ctx.configDir, "nope.jsonl")})`);

    await mkdir(join(ctx.configDir, "dir.jsonl"));
    expect((await rejection(source({ field: "ok", file: "dir.jsonl" }).read(ctx))).message).toMatch(
      /^metric quality: feedback file dir\.jsonl is not a regular file/,
    );
    if (process.platform !== "win32") {
      execFileSync("mkfifo", [join(ctx.configDir, "pipe.jsonl")]);
      expect((await rejection(source({ field: "ok", file: "pipe.jsonl" }).read(ctx))).message).toMatch(
        /^metric quality: feedback file pipe\.jsonl is not a regular file/,
      );
    }
  });

  it("an empty file has no data for either variant; a field that is no dotted path is refused when the source is built", async () => {
    expect(await source({ field: "ok" }).read(await context(""))).toMatchObject({ stable: null, canary: null });
    expect(() => source({ field: "a..b" })).toThrow(InputError);
    expect(() => source({ field: "a..b" })).toThrow('metric quality: feedback.field "a..b" is not a dotted path (a.b.c)');
  });
});
