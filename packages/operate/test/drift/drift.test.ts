import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DRIFT_THRESHOLD_DEFAULTS, type DriftFeatureConfig } from "@llmops/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addRecord,
  analyzeDrift,
  analyzeFeature,
  fieldValue,
  MAX_CATEGORIES,
  newColumn,
  numericPsi,
  readRecords,
  tokenize,
} from "../../src/drift/index.ts";

// Produced once by fixtures/make_drift_fixtures.py (numpy 1.24.2, scipy 1.10.1); see its header.
const fixture = JSON.parse(readFileSync(new URL("../fixtures/drift.json", import.meta.url), "utf8")) as {
  numeric: {
    name: string;
    bins: number;
    reference: number[];
    sample: number[];
    edges: number[];
    referenceShares: number[];
    sampleShares: number[];
    psi: number;
    ks: { statistic: number; pvalue: number };
  }[];
  categorical: {
    name: string;
    reference: string[];
    sample: string[];
    psi: number;
    chiSquare: { statistic: number; pvalue: number; dof: number };
  }[];
  text: { name: string; reference: string[]; sample: string[]; lengthPsi: number; lengthKs: { statistic: number; pvalue: number } }[];
};

function close(actual: number | undefined, expected: number, relative: number, absolute = 0, what = ""): void {
  expect(actual, what).toBeDefined();
  const ok = Math.abs(actual! - expected) <= relative * Math.abs(expected) + absolute;
  expect(ok, `${what}: got ${actual}, reference ${expected}`).toBe(true);
}

/** The feature's columns built from plain values, as records `{ [field]: value }`. */
function columns(feature: DriftFeatureConfig, reference: unknown[], sample: unknown[]) {
  const r = newColumn(feature);
  const s = newColumn(feature);
  for (const value of reference) addRecord(r, { [feature.field]: value });
  for (const value of sample) addRecord(s, { [feature.field]: value });
  return { r, s };
}

const test = (drift: ReturnType<typeof analyzeFeature>, name: string, of: string) =>
  drift.tests.find((t) => t.test === name && t.of === of);

describe("numeric drift against numpy and scipy", () => {
  it.each(fixture.numeric.map((c) => [c.name, c] as const))("%s", (_, c) => {
    // Edges interpolate between order statistics exactly as numpy does (one rounding each), the
    // shares are counts over n, and PSI is a sum of ten-odd terms: 1e-12 relative.
    const psi = numericPsi(c.reference, c.sample, c.bins);
    expect(psi.edges.length).toBe(c.edges.length);
    for (const [i, e] of psi.edges.entries()) close(e, c.edges[i]!, 1e-15, 1e-300, `edge ${i}`);
    expect(psi.reference).toEqual(c.referenceShares);
    expect(psi.sample).toEqual(c.sampleShares);
    close(psi.psi, c.psi, 1e-12, 1e-15, "psi");

    const { r, s } = columns({ field: "x", type: "numeric", bins: c.bins }, c.reference, c.sample);
    const drift = analyzeFeature(r, s, DRIFT_THRESHOLD_DEFAULTS);
    close(drift.psi, c.psi, 1e-12, 1e-15, "feature psi");
    close(test(drift, "ks", "value")?.statistic, c.ks.statistic, 1e-14, 1e-16, "KS D");
    // Exact p-values to rounding; the asymptotic one ("large sample") through kstwo.sf (1e-9, see eval's drift-stats test).
    close(test(drift, "ks", "value")?.pValue, c.ks.pvalue, 1e-9, 1e-300, "KS p");
    const expected = c.psi >= 0.2 && c.ks.pvalue < 0.01 ? "drift" : "ok";
    expect(drift.verdict).toBe(expected);
  });

  it("reads numbers from numeric strings (CSV) and counts everything else as missing", () => {
    const values = [...Array.from({ length: 40 }, (_, i) => String(i)), " 4.5e1 ", "", "n/a", null, true, { x: 1 }];
    const { r } = columns({ field: "x", type: "numeric", bins: 10 }, values, []);
    expect(r.numbers).toHaveLength(41);
    expect(r.numbers.at(-1)).toBe(45);
    expect(r.missing).toBe(5);
  });
});

describe("categorical drift against scipy", () => {
  it.each(fixture.categorical.map((c) => [c.name, c] as const))("%s", (_, c) => {
    const { r, s } = columns({ field: "channel", type: "categorical", bins: 10 }, c.reference, c.sample);
    const drift = analyzeFeature(r, s, DRIFT_THRESHOLD_DEFAULTS);
    close(drift.psi, c.psi, 1e-12, 1e-15, "psi");
    const chi = test(drift, "chi-square", "category");
    close(chi?.statistic, c.chiSquare.statistic, 1e-12, 1e-13, "chi-square");
    close(chi?.pValue, c.chiSquare.pvalue, 1e-11, 1e-300, "chi-square p");
    expect(chi?.dof).toBe(c.chiSquare.dof);
    expect(drift.verdict).toBe(c.psi >= 0.2 && c.chiSquare.pvalue < 0.01 ? "drift" : "ok");
  });

  it("counts a field that vanished as drift, and caps the categories it keeps", () => {
    const reference = Array.from({ length: 200 }, (_, i) => (i % 2 ? "web" : "api"));
    const gone = analyzeFeature(
      ...(Object.values(columns({ field: "channel", type: "categorical", bins: 10 }, reference, new Array(100).fill(undefined))) as [
        ReturnType<typeof newColumn>,
        ReturnType<typeof newColumn>,
      ]),
      DRIFT_THRESHOLD_DEFAULTS,
    );
    expect(gone.verdict).toBe("drift");
    expect(gone.sample).toEqual({ values: 0, missing: 100 });
    expect(gone.shares?.[0]).toMatchObject({ value: "(missing)", reference: 0, sample: 1 });

    const many = columns(
      { field: "id", type: "categorical", bins: 10 },
      Array.from({ length: MAX_CATEGORIES + 500 }, (_, i) => `user-${i}`),
      ["a"],
    );
    expect(many.r.categories.size).toBe(MAX_CATEGORIES + 1);
    expect(many.r.categories.get("(other)")).toBe(500);
  });
});

describe("text drift", () => {
  it.each(fixture.text.map((c) => [c.name, c] as const))("length distribution of %s matches numpy and scipy", (_, c) => {
    const { r, s } = columns({ field: "text", type: "text", bins: 10 }, c.reference, c.sample);
    const drift = analyzeFeature(r, s, DRIFT_THRESHOLD_DEFAULTS);
    close(test(drift, "psi", "length")?.statistic, c.lengthPsi, 1e-12, 1e-15, "length psi");
    close(test(drift, "ks", "length")?.statistic, c.lengthKs.statistic, 1e-14, 1e-16, "length KS D");
    close(test(drift, "ks", "length")?.pValue, c.lengthKs.pvalue, 1e-9, 1e-300, "length KS p");
  });

  it("measures the out-of-vocabulary rate against half the reference, the other half giving the expected rate", () => {
    // Even reference records hold the vocabulary {a, b, c}; odd ones use a, b and d: 1 of 3 tokens unseen.
    const reference = Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? "a b c" : "a b d"));
    const sample = Array.from({ length: 60 }, () => "a x y z");
    const { r, s } = columns({ field: "text", type: "text", bins: 4 }, reference, sample);
    const oov = test(analyzeFeature(r, s, DRIFT_THRESHOLD_DEFAULTS), "oov", "vocabulary");
    expect(oov).toMatchObject({ expected: 1 / 3, statistic: 3 / 4, threshold: 1 / 3 + 0.1, exceeded: true });
  });

  it("notices a new language in the mix", () => {
    const en = ["the battery is great and i like it", "it was not what we wanted for the price"];
    const de = ["der Akku ist gut und ich mag es sehr", "es war nicht das, was wir wollten"];
    const reference = Array.from({ length: 200 }, (_, i) => en[i % 2]!);
    const sample = Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? de[i % 2]! : en[i % 2]!));
    const { r, s } = columns({ field: "text", type: "text", bins: 4 }, reference, sample);
    const drift = analyzeFeature(r, s, DRIFT_THRESHOLD_DEFAULTS);
    const languages = test(drift, "chi-square", "language");
    expect(languages?.exceeded).toBe(true);
    expect(drift.shares?.find((x) => x.value === "de")).toMatchObject({ reference: 0, sample: 67 / 200 });
    expect(drift.reasons.some((reason) => reason.startsWith("language:"))).toBe(true);
  });

  it("tokenizes words, CJK characters one by one, and leaves digits out", () => {
    expect(tokenize("Order #12345: Café ÉTÉ, ok?")).toEqual(["order", "café", "été", "ok"]);
    expect(tokenize("日本語テキスト abc")).toEqual(["日", "本", "語", "テ", "キ", "ス", "ト", "abc"]);
    expect(tokenize(`${"x".repeat(100)}`)[0]).toHaveLength(48);
  });
});

describe("a feature with too few values", () => {
  it("is reported, not judged", () => {
    const { r, s } = columns({ field: "x", type: "numeric", bins: 10 }, [1, 2, 3], [1, 2]);
    expect(analyzeFeature(r, s, DRIFT_THRESHOLD_DEFAULTS)).toMatchObject({ verdict: "insufficient", tests: [] });
  });
});

describe("fieldValue", () => {
  it("follows dotted paths through own properties, then the record's vars", () => {
    expect(fieldValue({ meta: { channel: "web" } }, "meta.channel")).toBe("web");
    expect(fieldValue({ vars: { text: "hi" } }, "text")).toBe("hi");
    expect(fieldValue(JSON.parse('{"__proto__": {"x": 1}}'), "__proto__.x")).toBe(1);
    expect(fieldValue({}, "constructor")).toBeUndefined();
    expect(fieldValue({ a: [1] }, "a.0")).toBeUndefined();
  });
});

describe("reading hostile files", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "llmops-drift-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("skips bad lines with their numbers, reads only the first maxRecords, and counts the rest", async () => {
    const path = join(dir, "sample.jsonl");
    const long = JSON.stringify({ text: "x".repeat(2 * 1024 * 1024) });
    await writeFile(path, ['{"x": 1}', "not json", "", "[1,2]", long, '{"x": 2}', '{"x": 3}', '{"x": 4}'].join("\n"));
    const seen: unknown[] = [];
    const stats = await readRecords(path, { maxRecords: 2, display: "sample.jsonl" }, (r) => seen.push(r));
    expect(seen).toEqual([{ x: 1 }, { x: 2 }]);
    expect(stats).toEqual({ records: 2, skipped: 3, skippedAt: [2, 4, 5], truncated: true, unread: 2 });
  });

  it("reads CSV rows through the case reader and JSON arrays", async () => {
    await writeFile(join(dir, "s.csv"), 'text,channel\nhello,web\n"a, b",api\n');
    await writeFile(join(dir, "s.json"), JSON.stringify([{ channel: "web" }, 3, { channel: "api" }]));
    const csv: unknown[] = [];
    await readRecords(join(dir, "s.csv"), { maxRecords: 10, display: "s.csv" }, (r) => csv.push(fieldValue(r, "text")));
    expect(csv).toEqual(["hello", "a, b"]);
    const json = await readRecords(join(dir, "s.json"), { maxRecords: 10, display: "s.json" }, () => {});
    expect(json).toMatchObject({ records: 2, skipped: 1, skippedAt: [1] });
  });

  it("names a missing file or an unknown format in one line", async () => {
    await expect(readRecords(join(dir, "nope.jsonl"), { maxRecords: 1, display: "nope.jsonl" }, () => {})).rejects.toThrow(
      "nope.jsonl: does not exist",
    );
    await expect(readRecords(join(dir, "s.txt"), { maxRecords: 1, display: "s.txt" }, () => {})).rejects.toThrow(/expected a \.jsonl/);
  });

  it("analyzes a drifted sample end to end", async () => {
    const reference = join(dir, "reference.jsonl");
    const sample = join(dir, "drifted.jsonl");
    const rows = (n: number, shift: number, channel: (i: number) => string) =>
      Array.from({ length: n }, (_, i) =>
        JSON.stringify({ vars: { amount: (i % 50) + shift, channel: channel(i), text: "the price is fine" } }),
      ).join("\n");
    await writeFile(
      reference,
      rows(400, 0, (i) => (i % 4 ? "web" : "api")),
    );
    await writeFile(
      sample,
      rows(300, 30, () => "web"),
    );
    const result = await analyzeDrift({
      reference: { path: reference, display: "reference.jsonl" },
      sample: { path: sample, display: "drifted.jsonl" },
      features: [
        { field: "amount", type: "numeric", bins: 10 },
        { field: "channel", type: "categorical", bins: 10 },
        { field: "text", type: "text", bins: 10 },
      ],
      thresholds: DRIFT_THRESHOLD_DEFAULTS,
      maxRecords: 100_000,
    });
    expect(result.verdict).toBe("drift");
    expect(result.features.map((f) => f.verdict)).toEqual(["drift", "drift", "ok"]);
    expect(result.reference).toMatchObject({ source: "reference.jsonl", records: 400, skipped: 0 });
  });
});

describe("categories from production are redacted before they are counted or shown", () => {
  it("masks personal data and secrets, keeps one line, and keeps a value spelled like a placeholder apart", () => {
    const feature: DriftFeatureConfig = { field: "channel", type: "categorical", bins: 10 };
    const hostile = ["evil\r::error::pwned victim@example.com", "card 4111 1111 1111 1111", `token ghp_${"a".repeat(36)}`, "(missing)"];
    const { s } = columns(feature, [], hostile);
    const keys = [...s.categories.keys()];
    const text = JSON.stringify(keys);
    expect(text).not.toContain("victim@example.com");
    expect(text).not.toContain("4111 1111 1111 1111");
    expect(text).not.toContain("ghp_aaaa");
    expect(text).not.toMatch(/\\r|\\n/);
    expect(keys).toContain("(missing) (as written)");
    expect(s.missing).toBe(0);
  });
});
