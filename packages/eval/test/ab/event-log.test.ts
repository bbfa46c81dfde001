import { InputError } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { EventScanner, OUTCOME_NUMBER } from "../../src/ab/event-scan.ts";
import {
  type AbResult,
  abResultSchema,
  analyzeEventLog,
  EventLogError,
  type EventLogOptions,
  MAX_PROBLEMS,
  MAX_VARIANT_NAME,
} from "../../src/ab/index.ts";
import { summarizeMetrics } from "../../src/aggregate/aggregate.ts";
import { createRng, newcombeDifferenceInterval, wilsonInterval } from "../../src/stats/index.ts";
import { scored } from "../aggregate/rows.ts";

async function* chunks(data: Buffer, sizes?: () => number): AsyncGenerator<Uint8Array> {
  if (!sizes) {
    yield data;
    return;
  }
  for (let i = 0; i < data.length; ) {
    const size = Math.max(1, sizes());
    yield data.subarray(i, i + size);
    i += size;
  }
}

const text = (lines: (string | Buffer)[]) =>
  Buffer.concat(lines.map((l) => Buffer.concat([Buffer.isBuffer(l) ? l : Buffer.from(l), Buffer.from("\n")])));
const analyze = async (lines: (string | Buffer)[], options: EventLogOptions = {}) => {
  const result = await analyzeEventLog(chunks(text(lines)), options);
  expect(abResultSchema.parse(result)).toEqual(result);
  return result;
};

/**
 * What a line means, by the documented rules, with JSON.parse and nothing of the reader: the
 * reference both of the reader's paths must agree with.
 */
function reference(bytes: Buffer): { event: { variant: string; outcome: number } } | { bad: true } | { blank: true } {
  const line = bytes.toString("utf8");
  if (/^[ \t\r]*$/.test(line)) return { blank: true };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { bad: true };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { bad: true };
  const record = value as Record<string, unknown>;
  if (!Object.hasOwn(record, "variant") || !Object.hasOwn(record, "outcome")) return { bad: true };
  const variant = record.variant;
  const outcome = record.outcome;
  const name =
    typeof variant === "string" ? variant : typeof variant === "number" && Number.isFinite(variant) ? String(variant) : undefined;
  const x = typeof outcome === "boolean" ? Number(outcome) : typeof outcome === "number" && Number.isFinite(outcome) ? outcome : undefined;
  if (name === undefined || x === undefined) return { bad: true };
  return { event: { variant: name, outcome: x } };
}

/** Lines that tempt a byte scanner into disagreeing with JSON.parse. */
const TRICKY: (string | Buffer)[] = [
  '{"variant":"a","outcome":1}',
  '  { "variant" : "a" ,\t"outcome" : true }  ',
  '{"variant":"a","outcome":0}\r',
  '{"outcome":false,"variant":"b"}',
  '{"note":"he said \\"variant\\":\\"x\\"","variant":"a","outcome":0}',
  '{"variant":"a\\"b","outcome":1}',
  '{"variant":"\\u0061","outcome":1}',
  '{"vari\\u0061nt":"b","outcome":1}',
  '{"variant":"a","outc\\u006fme":0}',
  '{"meta":{"variant":"x","outcome":0},"variant":"a","outcome":1}',
  '{"variant":"a","outcome":1,"meta":{"variant":"x","outcome":0}}',
  '{"meta":{"variant":"x","outcome":0}}',
  '{"tags":["variant","outcome"],"variant":"b","outcome":1}',
  '{"variant":"a","variant":"b","outcome":1,"outcome":0}',
  '{"variant":"a","outcome":"1","outcome":1}',
  '{"variant":"a","outcome":1,"outcome":"1"}',
  '{"variant":"café","outcome":1}',
  '{"variant":"🚀 canary","outcome":1}',
  '{"vàriant":"a","variant":"b","outcome":1}',
  '{"variant":"a","outcome":1.0}',
  '{"variant":"a","outcome":1e0}',
  '{"variant":"a","outcome":-0}',
  '{"variant":"a","outcome":0.5}',
  '{"variant":"a","outcome":1E2}',
  '{"variant":"a","outcome":2.5e-3}',
  '{"variant":"a","outcome":-12.75}',
  '{"variant":"a","outcome":123456789012345678}',
  '{"variant":"a","outcome":0.1000000000000000055511151231257827}',
  '{"variant":"a","outcome":1e400}',
  '{"variant":"a","outcome":-1e-400}',
  '{"variant":"a","outcome":01}',
  '{"variant":"a","outcome":1.}',
  '{"variant":"a","outcome":.5}',
  '{"variant":"a","outcome":+1}',
  '{"variant":"a","outcome":1e}',
  '{"variant":"a","outcome":--1}',
  '{"variant":"a","outcome":0x10}',
  '{"variant":"a","outcome":NaN}',
  '{"variant":"a","outcome":Infinity}',
  '{"variant":"a","outcome":tru}',
  '{"variant":"a","outcome":truex}',
  '{"variant":"a","outcome":null}',
  '{"variant":"a","outcome":1,}',
  '{"variant":"a",,"outcome":1}',
  '{"variant":"a" "outcome":1}',
  '{"variant":"a","outcome":1}x',
  '{"variant":"a","outcome":1}{"variant":"b","outcome":0}',
  '{"variant":"a","outcome":1',
  '{"variant":"a","outcome"}',
  '{"variant":"a\tb","outcome":1}',
  '{"variant":"a\u0001b","outcome":1}',
  '{"note":"a\u001fb","variant":"a","outcome":1}',
  '{"variant":"a\\xb","outcome":1}',
  '{"variant":"\\u12","outcome":1}',
  '{"variant":"\\u12G4","outcome":1}',
  '{"variant":"\\ud800","outcome":1}',
  '{"note":"\\/\\b\\f\\n\\r\\t\\\\","variant":"a","outcome":1}',
  "{'variant':'a','outcome':1}",
  '[{"variant":"a","outcome":1}]',
  '"variant"',
  "5",
  "null",
  "{}",
  '{"__proto__":"x","variant":"a","outcome":1}',
  '{"constructor":"x","outcome":1}',
  '{"variant":7,"outcome":1}',
  '{"variant":7.50,"outcome":1}',
  '{"variant":true,"outcome":1}',
  '{"variant":null,"outcome":1}',
  '{"variant":"a","outcome":"yes"}',
  '{"variant":"a"}',
  '{"outcome":1}',
  '{"variant":"a","outcome":[1]}',
  '{"variant":"a","outcome":{"value":1}}',
  `{"variant":"a","outcome":1,"pad":"${"x".repeat(5000)}"}`,
  "   ",
  "",
  "\t\r",
  Buffer.from([...Buffer.from('{"variant":"a'), 0xff, ...Buffer.from('","outcome":1}')]),
  Buffer.from([...Buffer.from('{"variant":"a'), 0xc3, ...Buffer.from('","outcome":1}')]),
  Buffer.from([...Buffer.from('{"note":"'), 0xed, 0xa0, 0x80, ...Buffer.from('","variant":"a","outcome":0}')]),
];

describe("the fast path agrees with JSON.parse", () => {
  it("on every tricky line it answers, and it answers the plain ones", () => {
    const scanner = new EventScanner("variant", "outcome");
    let answered = 0;
    for (const line of TRICKY) {
      const bytes = Buffer.concat([Buffer.isBuffer(line) ? line : Buffer.from(line), Buffer.from("\n")]);
      const end = scanner.scanLine(bytes, 0);
      if (end === -1) continue;
      answered++;
      expect(end, String(line)).toBe(bytes.length - 1);
      const expected = reference(bytes.subarray(0, end));
      expect("event" in expected, String(line)).toBe(true);
      if (!("event" in expected)) continue;
      expect(bytes.toString("utf8", scanner.variantStart, scanner.variantEnd), String(line)).toBe(expected.event.variant);
      expect(scanner.outcomeValue, String(line)).toBe(expected.event.outcome);
      expect(scanner.outcomeKind === OUTCOME_NUMBER, String(line)).toBe(typeof JSON.parse(bytes.toString("utf8")).outcome === "number");
    }
    // Not a vacuous pass: the simple shapes take the fast path.
    expect(answered).toBeGreaterThanOrEqual(20);
  });

  it("on thousands of seeded mutations of valid lines", () => {
    const scanner = new EventScanner("variant", "outcome");
    const random = createRng(77);
    const seeds = TRICKY.filter((l): l is string => typeof l === "string" && "event" in reference(Buffer.from(l)));
    const alphabet = ['"', "\\", ",", ":", "{", "}", "[", "]", " ", "\t", "0", "1", "-", "e", ".", "u", "a", "t", "n", "\u0001", "é"];
    let answered = 0;
    let checked = 0;
    for (let i = 0; i < 20_000; i++) {
      let line = seeds[Math.floor(random() * seeds.length)] as string;
      const edits = 1 + Math.floor(random() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(random() * (line.length + 1));
        const op = random();
        const ch = alphabet[Math.floor(random() * alphabet.length)] as string;
        if (op < 0.4) line = line.slice(0, at) + ch + line.slice(at);
        else if (op < 0.7) line = line.slice(0, at) + line.slice(at + 1);
        else line = line.slice(0, at) + ch + line.slice(at + 1);
      }
      const bytes = Buffer.from(`${line}\n`);
      const end = scanner.scanLine(bytes, 0);
      checked++;
      if (end === -1) continue;
      answered++;
      const expected = reference(bytes.subarray(0, end));
      expect("event" in expected, line).toBe(true);
      if (!("event" in expected)) continue;
      expect(end).toBe(bytes.length - 1);
      expect(bytes.toString("utf8", scanner.variantStart, scanner.variantEnd), line).toBe(expected.event.variant);
      expect(scanner.outcomeValue, line).toBe(expected.event.outcome);
    }
    expect(checked).toBe(20_000);
    expect(answered).toBeGreaterThan(1000);
  });

  it("the whole reader counts exactly what the JSON.parse reference counts, however the bytes are chunked", async () => {
    // Booleans are left out here: a log may not mix them with the numbers other than 0/1 below.
    const lines = TRICKY.filter((line) => {
      try {
        return typeof JSON.parse(line.toString()).outcome !== "boolean";
      } catch {
        return true;
      }
    });
    expect(lines.length).toBeGreaterThan(TRICKY.length - 5);
    const expected = { events: 0, blank: 0, bad: [] as number[], byVariant: new Map<string, { n: number; sum: number }>() };
    lines.forEach((line, index) => {
      const r = reference(Buffer.isBuffer(line) ? line : Buffer.from(line));
      if ("blank" in r) expected.blank++;
      else if ("bad" in r) expected.bad.push(index + 1);
      else {
        expected.events++;
        const v = expected.byVariant.get(r.event.variant) ?? { n: 0, sum: 0 };
        v.n++;
        v.sum += r.event.outcome;
        expected.byVariant.set(r.event.variant, v);
      }
    });
    const data = text(lines);
    const random = createRng(5);
    for (const sizes of [undefined, () => 1 + Math.floor(random() * 7), () => 1 + Math.floor(random() * 300), () => 4096]) {
      const result = await analyzeEventLog(chunks(data, sizes), { control: "a", treatment: "b" });
      expect(result.lines).toMatchObject({ total: lines.length, events: expected.events, blank: expected.blank, bad: expected.bad.length });
      expect(result.problems.map((p) => p.line)).toEqual(expected.bad.slice(0, MAX_PROBLEMS));
      expect(result.kind).toBe("mean"); // 0.5, 100, -12.75 … are not 0/1
      for (const variant of [result.control, result.treatment]) {
        const want = expected.byVariant.get(variant.name)!;
        expect(variant.n).toBe(want.n);
        expect(variant.value).toBeCloseTo(want.sum / want.n, 12);
      }
    }
  });
});

describe("analyzeEventLog", () => {
  const log = (control: [number, number], treatment: [number, number], names = ["stable", "canary"]) => {
    const lines: string[] = [];
    const [cn, cs] = control;
    const [tn, ts] = treatment;
    for (let i = 0; i < Math.max(cn, tn); i++) {
      if (i < cn) lines.push(JSON.stringify({ variant: names[0], outcome: i < cs }));
      if (i < tn) lines.push(JSON.stringify({ variant: names[1], outcome: i < ts ? 1 : 0 }));
    }
    return lines;
  };

  it("reports counts, both kinds of interval and the decision for a proportion", async () => {
    const result = await analyze(log([9000, 8100], [1000, 800]));
    expect(result.kind).toBe("proportion");
    expect(result.control).toMatchObject({ name: "stable", n: 9000, successes: 8100, value: 0.9 });
    expect(result.treatment).toMatchObject({ name: "canary", n: 1000, successes: 800, value: 0.8 });
    const wilson = wilsonInterval(800, 1000, 0.95);
    expect(result.treatment.fixedHorizon).toEqual({ low: wilson.low, high: wilson.high });
    const newcombe = newcombeDifferenceInterval({ successes: 8100, n: 9000 }, { successes: 800, n: 1000 });
    expect(result.difference?.fixedHorizon).toEqual({ low: newcombe.low, high: newcombe.high });
    expect(result.difference?.estimate).toBeCloseTo(-0.1, 12);
    expect(result.difference?.pValue).toBeLessThan(1e-10);
    // The anytime-valid intervals are the judgement's, and wider than the fixed-horizon ones.
    expect(result.treatment.anytimeValid).toEqual({ low: result.judgement.treatment?.low, high: result.judgement.treatment?.high });
    expect(result.treatment.anytimeValid!.low).toBeLessThan(wilson.low);
    expect(result.defaultCriterion).toBe(true);
    expect(result.criteria).toMatchObject({ noWorseThan: 0, direction: "higher", name: "outcome" });
    expect(result.judgement.status).toBe("fail");
  });

  it("gives a rate the same fixed-horizon interval as an eval summary, and so compare, gives it", async () => {
    // 37 of 50 cases passing, as an eval's pass_rate and as a variant's outcomes.
    const rows = Array.from({ length: 50 }, (_, index) => scored(index, { exact: index < 37 ? 1 : 0 }));
    const passRate = summarizeMetrics(rows, { scorers: [] }).find((m) => m.name === "pass_rate")!;
    const result = await analyze(log([40, 30], [50, 37]));
    expect(result.treatment.fixedHorizon).toEqual({ low: passRate.ci.low, high: passRate.ci.high });
  });

  it("takes the first two variants in order of appearance, or the named ones", async () => {
    const lines = log([50, 25], [50, 25], ["b", "a"]);
    expect((await analyze(lines)).control.name).toBe("b");
    const named = await analyze(lines, { control: "a" });
    expect([named.control.name, named.treatment.name]).toEqual(["a", "b"]);
  });

  it("refuses more than two variants unless both are named, and counts the others", async () => {
    const lines = [...log([10, 5], [10, 5], ["a", "b"]), '{"variant":"c","outcome":1}'];
    await expect(analyze(lines)).rejects.toThrow(
      '3 variants in the log ("a", "b", "c"): name the two to compare with --control and --treatment',
    );
    await expect(analyze(lines, { control: "a" })).rejects.toThrow("2 variants besides");
    const result = await analyze(lines, { control: "a", treatment: "c" });
    expect(result.lines.otherVariants).toBe(10);
    expect(result.otherVariants).toEqual(["b"]);
  });

  it("refuses a named variant the log never mentions while it mentions others (a typo, not no data)", async () => {
    await expect(analyze(log([10, 5], [0, 0], ["a", "b"]), { control: "a", treatment: "b" })).rejects.toThrow(
      'no events of variant "b" in the log (seen: "a")',
    );
    await expect(analyze(log([10, 5], [10, 5], ["stable", "canary"]), { control: "stabel", treatment: "canary" })).rejects.toThrow(
      'no events of variant "stabel" in the log (seen: "stable", "canary")',
    );
  });

  it("refuses a variant name longer than MAX_VARIANT_NAME characters", async () => {
    await expect(analyze([JSON.stringify({ variant: "x".repeat(MAX_VARIANT_NAME + 1), outcome: 1 })])).rejects.toThrow(
      `characters long (over ${MAX_VARIANT_NAME}; is it the field that names the variant?)`,
    );
  });

  it("counts bad lines with their numbers, skips blank ones, and keeps going", async () => {
    const lines = [
      '{"variant":"a","outcome":1}',
      "",
      "not json",
      '{"variant":"b","outcome":"x"}',
      '{"variant":"b"}',
      '{"variant":"b","outcome":0}',
    ];
    const result = await analyze(lines);
    expect(result.lines).toEqual({ total: 6, events: 2, blank: 1, bad: 3, otherVariants: 0 });
    expect(result.problems).toEqual([
      { line: 3, reason: expect.stringMatching(/^not JSON: /) },
      { line: 4, reason: '"outcome" is the string "x", not a number or boolean' },
      { line: 5, reason: 'no "outcome" field' },
    ]);
  });

  it("lists the first MAX_PROBLEMS bad lines and counts them all", async () => {
    const lines = ['{"variant":"a","outcome":1}', '{"variant":"b","outcome":1}', ...Array(MAX_PROBLEMS + 5).fill("oops")];
    const result = await analyze(lines);
    expect(result.lines.bad).toBe(MAX_PROBLEMS + 5);
    expect(result.problems).toHaveLength(MAX_PROBLEMS);
  });

  it("stops at the first bad line with strict, naming it", async () => {
    const attempt = analyze(['{"variant":"a","outcome":1}', "{oops"], { strict: true });
    await expect(attempt).rejects.toThrow(EventLogError);
    await expect(analyze(['{"variant":"a","outcome":1}', "{oops"], { strict: true })).rejects.toThrow(/^line 2: not JSON/);
  });

  it("is an input error when no line is usable, or there are no events", async () => {
    await expect(analyze(["x", "y"])).rejects.toThrow("no usable events: all 2 non-blank lines are bad; line 1: not JSON");
    await expect(analyze([])).rejects.toThrow(InputError);
    await expect(analyze([], { control: "a", treatment: "b" })).resolves.toMatchObject({ judgement: { status: "no-data" } });
  });

  it("refuses booleans mixed with numbers other than 0 and 1", async () => {
    await expect(analyze(['{"variant":"a","outcome":true}', '{"variant":"b","outcome":2.5}'])).rejects.toThrow(
      '"outcome" mixes booleans (line 1) with numbers other than 0 and 1 (line 2)',
    );
  });

  it("kind: mean averages 0/1 outcomes as a mean (sample variance, n − 1), and true/false as 1/0", async () => {
    const lines = [
      '{"variant":"a","outcome":1}',
      '{"variant":"a","outcome":0}',
      '{"variant":"a","outcome":true}',
      '{"variant":"b","outcome":1}',
    ];
    const inferred = await analyze(lines);
    expect(inferred.kind).toBe("proportion");
    const mean = await analyze(lines, { kind: "mean" });
    expect(mean.kind).toBe("mean");
    // a: 1, 0, 1 → mean 2/3, sample SD sqrt(1/3).
    expect(mean.control).toMatchObject({ name: "a", n: 3 });
    expect(mean.control.value).toBeCloseTo(2 / 3, 12);
    expect(mean.control.sd).toBeCloseTo(Math.sqrt(1 / 3), 12);
    await expect(analyze(['{"variant":"a","outcome":true}', '{"variant":"b","outcome":2.5}'], { kind: "mean" })).resolves.toMatchObject({
      kind: "mean",
    });
  });

  it("kind: proportion refuses a number other than 0 and 1, naming its line", async () => {
    await expect(analyze(['{"variant":"a","outcome":1}', '{"variant":"b","outcome":3}'], { kind: "proportion" })).rejects.toThrow(
      '"outcome" is a number other than 0 and 1 on line 2, but the kind is proportion',
    );
  });

  it("refuses a variant field with more than MAX_VARIANTS values", async () => {
    const lines = Array.from({ length: 150 }, (_, i) => JSON.stringify({ variant: `v${i}`, outcome: 1 }));
    await expect(analyze(lines)).rejects.toThrow(/line 101: more than 100 distinct values of "variant"/);
  });

  it("computes means and sds stably: Welford on 1e9 + small values, and 0/1 merged with other numbers", async () => {
    const random = createRng(3);
    const values = { a: [] as number[], b: [] as number[] };
    const lines: string[] = [];
    for (let i = 0; i < 4000; i++) {
      const a = 1e9 + Math.round(random() * 1e6) / 1e3;
      // b mixes exact 0s and 1s with other values: the two groups are merged at the end.
      const b = i % 3 === 0 ? 0 : i % 3 === 1 ? 1 : Math.round(random() * 1000) / 100;
      values.a.push(a);
      values.b.push(b);
      lines.push(JSON.stringify({ variant: "a", outcome: a }), JSON.stringify({ variant: "b", outcome: b }));
    }
    const result = await analyze(lines, { outcomeField: "outcome" });
    expect(result.kind).toBe("mean");
    for (const [name, xs] of Object.entries(values)) {
      // Two-pass moments, the textbook-stable reference.
      const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1));
      const variant = result.control.name === name ? result.control : result.treatment;
      expect(Math.abs(variant.value! - mean)).toBeLessThan(1e-6 * Math.max(1, Math.abs(mean)) * 1e-3);
      expect(Math.abs(variant.sd! - sd) / sd).toBeLessThan(1e-9);
    }
    expect(result.fixedHorizon).toEqual({ level: 0.95, variant: "t", difference: "welch", test: "welch-t" });
  });

  it("reads dotted fields, numeric variants and CRLF files with a BOM and no final newline", async () => {
    const data = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('{"arm":{"id":1},"r":{"ok":true}}\r\n{"arm":{"id":2},"r":{"ok":false}}\r\n{"arm":{"id":2},"r":{"ok":true}}'),
    ]);
    const result: AbResult = await analyzeEventLog(
      chunks(data, () => 5),
      { variantField: "arm.id", outcomeField: "r.ok" },
    );
    expect(result.lines).toMatchObject({ total: 3, events: 3, bad: 0 });
    expect(result.control).toMatchObject({ name: "1", n: 1, successes: 1 });
    expect(result.treatment).toMatchObject({ name: "2", n: 2, successes: 1 });
  });

  it("reports a line over maxLineBytes as bad and goes on", async () => {
    const long = `{"variant":"a","outcome":1,"pad":"${"x".repeat(300)}"}`;
    const lines = ['{"variant":"a","outcome":1}', long, '{"variant":"b","outcome":0}'];
    for (const sizes of [undefined, () => 64]) {
      const result = await analyzeEventLog(chunks(text(lines), sizes), { maxLineBytes: 100 });
      expect(result.lines).toMatchObject({ total: 3, events: 2, bad: 1 });
      expect(result.problems).toEqual([{ line: 2, reason: "longer than 100 bytes" }]);
    }
  });

  it("passes the criteria on: max alone means lower is better; bad criteria are input errors", async () => {
    const result = await analyze(log([1000, 10], [1000, 60], ["stable", "canary"]), { max: 0.02 });
    expect(result.criteria.direction).toBe("lower");
    expect(result.judgement.status).toBe("fail");
    expect(result.judgement.reasons[0]).toMatch(/^outcome 0\.06 \[0\.0\d+, 0\.0\d+\] is above max 0\.02$/);
    await expect(analyze(log([10, 1], [10, 1]), { alpha: 1.5 })).rejects.toThrow(InputError);
    await expect(analyze(log([10, 1], [10, 1]), { variantField: "x", outcomeField: "x" })).rejects.toThrow(InputError);
  });
});
