// The writer against the OpenMetrics 1.0 text (prometheus/docs, docs/specs/om/open_metrics_spec.md:
// "Escaping", "Numbers", the Counter/Info/Unit examples, "Suffixes") and against promtool, Prometheus'
// own parsers: `promtool check metrics` (text format 0.0.4 and lint) and the OpenMetrics parser
// behind `promtool tsdb create-blocks-from openmetrics`.
import { describe, expect, it } from "vitest";
import {
  boundLabelValue,
  defineFamily,
  escapeHelp,
  escapeLabelValue,
  formatValue,
  MAX_LABEL_VALUE_LENGTH,
  type MetricFamily,
  MetricSet,
  MetricsError,
  renderExposition,
} from "../../src/metrics/index.ts";
import { promtoolCheckMetrics, promtoolParseOpenMetrics } from "./promtool.ts";

function render(families: { family: MetricFamily; labels?: Record<string, string | undefined>; value: number }[]) {
  const set = new MetricSet();
  for (const { family, labels, value } of families) set.add({ family, labels: labels ?? {}, value });
  return { openmetrics: renderExposition(set, "openmetrics"), prometheus: renderExposition(set, "prometheus") };
}

/** Both formats accepted by Prometheus' parsers, promtool's lint without a remark. */
function expectValid(text: { openmetrics: string; prometheus: string }) {
  expect(promtoolCheckMetrics(text.prometheus)).toEqual({ code: 0, output: "" });
  const parsed = promtoolParseOpenMetrics(text.openmetrics);
  expect(parsed.code, parsed.output).toBe(0);
}

/**
 * Label values a result could hold: every character the spec escapes, characters it leaves as they
 * are (controls, NUL, CR, the exposition's own punctuation), lines that look like metadata, a
 * trailing backslash, non-BMP and right-to-left text, a lone surrogate, and an over-long value.
 */
const HOSTILE = [
  'quote " inside',
  "back\\slash",
  "trailing backslash\\",
  "\\n literally",
  "line\nfeed",
  "\n# EOF\n",
  "crlf\r\nend",
  "nul\u0000byte",
  "tab\there",
  '} 1\nllmops_fake{a="b"} 2',
  'braces {x="y",z} and = , #',
  "é ünïcödé 😀 אבג",
  "line\u2028separator\u0085nel",
  "lone \ud800 surrogate",
  "x".repeat(5000),
];

describe("the judges", () => {
  // Negative controls: promtool must refuse what the formats forbid, or its approval below means nothing.
  it("refuse an unescaped line feed in a label value, a missing # EOF, a unit that is not the name's suffix, \\\" in a 0.0.4 HELP", () => {
    expect(promtoolCheckMetrics('# HELP a x\n# TYPE a gauge\na{b="x\ny"} 1\n').code).not.toBe(0);
    expect(promtoolCheckMetrics('# HELP a x\\"y\n# TYPE a gauge\na 1\n').code).not.toBe(0);
    expect(promtoolParseOpenMetrics("# TYPE a gauge\n# HELP a x\na 1\n").code).not.toBe(0);
    expect(promtoolParseOpenMetrics("# TYPE a gauge\n# UNIT a seconds\n# HELP a x\na 1\n# EOF\n").code).not.toBe(0);
    expect(promtoolParseOpenMetrics('# TYPE a gauge\n# HELP a x\na{b="x\ny"} 1\n# EOF\n').code).not.toBe(0);
    expect(promtoolParseOpenMetrics("# TYPE a gauge\n# HELP a x\na 1\n# EOF\n").code).toBe(0);
  });
});

describe("escaping (OpenMetrics 1.0, Escaping)", () => {
  it("escapes line feed, double quote and backslash, and nothing else", () => {
    // The spec's example label value: b="escaping\" example \n ".
    expect(escapeLabelValue('escaping" example \n ')).toBe('escaping\\" example \\n ');
    expect(escapeLabelValue("\\")).toBe("\\\\");
    // "A double backslash SHOULD be used to represent a backslash character … \\a is … preferable to \a."
    expect(escapeLabelValue("\\a")).toBe("\\\\a");
    expect(escapeLabelValue("tab\tcr\rnul\u0000")).toBe("tab\tcr\rnul\u0000");
  });

  it("escapes HELP like a label value in OpenMetrics, and only backslash and line feed in text 0.0.4", () => {
    // The spec's example: # HELP foo_seconds Some text and \n some \" escaping
    expect(escapeHelp('Some text and \n some " escaping', "openmetrics")).toBe('Some text and \\n some \\" escaping');
    expect(escapeHelp('Some text and \n some " escaping', "prometheus")).toBe('Some text and \\n some " escaping');
    expect(escapeHelp("a\\b", "prometheus")).toBe("a\\\\b");
  });

  it("writes the spec's sample with two labels", () => {
    const family = defineFamily({ name: "bar_seconds", type: "gauge", unit: "seconds", help: "Bar.", labels: ["a", "b"] });
    const text = render([{ family, labels: { a: "x", b: 'escaping" example \n ' }, value: 0 }]);
    expect(text.openmetrics).toBe(
      '# TYPE bar_seconds gauge\n# UNIT bar_seconds seconds\n# HELP bar_seconds Bar.\nbar_seconds{a="x",b="escaping\\" example \\n "} 0\n# EOF\n',
    );
    expectValid(text);
  });
});

describe("numbers (OpenMetrics 1.0, Numbers and Values)", () => {
  it("writes NaN, +Inf and -Inf as the spec spells them, integers without a decimal point, floats round-trip", () => {
    expect([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY].map(formatValue)).toEqual(["NaN", "+Inf", "-Inf"]);
    expect(formatValue(23)).toBe("23");
    expect(formatValue(1341298465647914)).toBe("1341298465647914");
    expect(formatValue(8903.123421)).toBe("8903.123421");
    expect(formatValue(1.89e-7)).toBe("1.89e-7");
    expect(formatValue(1e21)).toBe("1e+21");
    expect(formatValue(-0)).toBe("0");
    expect(formatValue(0.1 + 0.2)).toBe("0.30000000000000004");
    // realnumber = [SIGN] 1*DIGIT ["." *DIGIT] ["e" [SIGN] 1*DIGIT] (or with leading "."), from the ABNF.
    const realnumber = /^[+-]?(\d+(\.\d*)?|\d*\.\d+)(e[+-]?\d+)?$/;
    for (const value of [0, 1, -1, 0.5, 1e-10, 1e-9, 123e20, -4.2e-300, Number.MAX_VALUE, Number.MIN_VALUE]) {
      expect(formatValue(value)).toMatch(realnumber);
      expect(Number(formatValue(value))).toBe(value);
    }
  });

  it("is parsed by Prometheus as written, non-real values included", () => {
    const family = defineFamily({ name: "llmops_test_value", type: "gauge", help: "Values.", labels: ["v"] });
    const values = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-7, 1e21, -3, 0.30000000000000004];
    expectValid(render(values.map((value, i) => ({ family, labels: { v: String(i) }, value }))));
  });
});

describe("metric types (OpenMetrics 1.0, Metric types; text format 0.0.4)", () => {
  const counter = defineFamily({ name: "foo", type: "counter", help: "Foo things.", labels: [] });
  const info = defineFamily({ name: "foo_build", type: "info", help: "Build.", labels: ["name", "version"] });
  const seconds = defineFamily({ name: "foo_seconds", type: "counter", unit: "seconds", help: "Time.", labels: [] });

  it("writes a counter as <name>_total, an info as <name>_info with value 1, a unit as # UNIT", () => {
    const text = render([
      { family: counter, value: 17 },
      { family: info, labels: { name: "pretty name", version: "8.2.7" }, value: 1 },
      { family: seconds, value: 4.2 },
    ]);
    expect(text.openmetrics).toBe(
      [
        "# TYPE foo counter",
        "# HELP foo Foo things.",
        "foo_total 17",
        "# TYPE foo_build info",
        "# HELP foo_build Build.",
        'foo_build_info{name="pretty name",version="8.2.7"} 1',
        "# TYPE foo_seconds counter",
        "# UNIT foo_seconds seconds",
        "# HELP foo_seconds Time.",
        "foo_seconds_total 4.2",
        "# EOF",
        "",
      ].join("\n"),
    );
    // Text 0.0.4 has no info type and no UNIT: a gauge named _info, a counter typed under its _total name.
    expect(text.prometheus).toBe(
      [
        "# HELP foo_total Foo things.",
        "# TYPE foo_total counter",
        "foo_total 17",
        "# HELP foo_build_info Build.",
        "# TYPE foo_build_info gauge",
        'foo_build_info{name="pretty name",version="8.2.7"} 1',
        "# HELP foo_seconds_total Time.",
        "# TYPE foo_seconds_total counter",
        "foo_seconds_total 4.2",
        "",
      ].join("\n"),
    );
    expectValid(text);
  });

  it("ends an empty exposition with # EOF alone (OpenMetrics) and nothing (text 0.0.4)", () => {
    expect(render([])).toEqual({ openmetrics: "# EOF\n", prometheus: "" });
    expect(promtoolCheckMetrics("")).toEqual({ code: 0, output: "" });
  });

  it("refuses an info value other than 1 and a counter that is NaN or negative", () => {
    const set = new MetricSet();
    expect(() => set.add({ family: info, labels: {}, value: 2 })).toThrow(MetricsError);
    expect(() => set.add({ family: counter, labels: {}, value: -1 })).toThrow(/counter is a number ≥ 0/);
    expect(() => set.add({ family: counter, labels: {}, value: Number.NaN })).toThrow(/counter/);
    expect(set.size).toBe(0);
  });
});

describe("names (OpenMetrics 1.0, ABNF, Suffixes, Unit)", () => {
  const family =
    (name: string, extra: Partial<MetricFamily> = {}) =>
    () =>
      defineFamily({ name, type: "gauge", help: "Help.", labels: [], ...extra });

  it("accepts snake_case names and refuses what the ABNF forbids or the spec reserves", () => {
    expect(family("llmops_eval_metric")).not.toThrow();
    expect(family("1abc")).toThrow(MetricsError);
    expect(family("a-b")).toThrow(MetricsError);
    expect(family("é")).toThrow(MetricsError);
    expect(family("_reserved")).toThrow(/letter/); // names beginning with underscores are RESERVED
    expect(family("rule:aggregate")).toThrow(MetricsError); // colons are RESERVED for aggregations
    expect(family("")).toThrow(MetricsError);
  });

  it("refuses family names ending with a suffix the text format gives sample names (a gauge foo_created could clash with a counter foo)", () => {
    for (const suffix of ["_total", "_created", "_count", "_sum", "_bucket", "_gcount", "_gsum", "_info"]) {
      expect(family(`foo${suffix}`)).toThrow(`ends with ${suffix}`);
    }
  });

  it("requires HELP", () => {
    expect(family("foo", { help: " " })).toThrow(/HELP is empty/);
  });

  it("requires a unit to be the name's last part after an underscore, and no unit on info", () => {
    expect(family("foo_seconds", { unit: "seconds" })).not.toThrow();
    expect(family("foo", { unit: "seconds" })).toThrow(/must end with _seconds/); // the spec's invalid example
    expect(family("fooseconds", { unit: "seconds" })).toThrow(/must end with _seconds/);
    expect(family("foo_seconds", { unit: "seconds", type: "info" })).toThrow(/info family has no unit/);
  });

  it("refuses label names outside [A-Za-z][A-Za-z0-9_]* (a leading underscore is reserved) and a label listed twice", () => {
    expect(family("foo", { labels: ["le_ok", "a1"] })).not.toThrow();
    expect(family("foo", { labels: ["__name__"] })).toThrow(MetricsError);
    expect(family("foo", { labels: ["_x"] })).toThrow(MetricsError);
    expect(family("foo", { labels: ["a.b"] })).toThrow(MetricsError);
    expect(family("foo", { labels: ["a", "a"] })).toThrow(/listed twice/);
  });
});

describe("the metric set (OpenMetrics 1.0, MetricFamily and MetricSet)", () => {
  const family = defineFamily({ name: "llmops_test", type: "gauge", help: "Test.", labels: ["a", "b"] });

  it("writes labels in the family's order, leaves out empty and absent ones (an empty value is as if absent)", () => {
    const text = render([
      { family, labels: { b: "2", a: "1" }, value: 1 },
      { family, labels: { a: "", b: "3" }, value: 2 },
      { family, labels: { a: undefined }, value: 3 },
    ]);
    expect(text.openmetrics).toContain('llmops_test{a="1",b="2"} 1\nllmops_test{b="3"} 2\nllmops_test 3\n');
    expectValid(text);
  });

  it("refuses a series given twice, naming both sources, and labels the family does not have", () => {
    const set = new MetricSet();
    set.add({ family, labels: { a: "x" }, value: 1 }, "run1/summary.json");
    expect(() => set.add({ family, labels: { a: "x", b: "" }, value: 2 }, "run2/summary.json")).toThrow(
      'series llmops_test{a="x"} is given twice (from run1/summary.json and run2/summary.json)',
    );
    expect(() => set.add({ family, labels: { c: "x" }, value: 1 })).toThrow(/label c is not one of its labels/);
  });

  it("refuses two different definitions under one name", () => {
    const set = new MetricSet();
    set.add({ family, labels: {}, value: 1 });
    const other = defineFamily({ ...family, type: "counter" });
    expect(() => set.add({ family: other, labels: {}, value: 1 })).toThrow(/defined twice, differently/);
  });

  it("keeps families together, in the order they first appear (MetricFamilies MUST NOT be interleaved)", () => {
    const other = defineFamily({ name: "llmops_other", type: "gauge", help: "Other.", labels: ["a"] });
    const text = render([
      { family, labels: { a: "1" }, value: 1 },
      { family: other, labels: { a: "1" }, value: 2 },
      { family, labels: { a: "2" }, value: 3 },
    ]).openmetrics;
    expect(text.split("\n").filter((l) => !l.startsWith("#") && l)).toEqual([
      'llmops_test{a="1"} 1',
      'llmops_test{a="2"} 3',
      'llmops_other{a="1"} 2',
    ]);
  });
});

describe("hostile label values", () => {
  const family = defineFamily({
    name: "llmops_hostile",
    type: "gauge",
    help: 'Help with "quotes", \\ and a\nnewline.',
    labels: ["v", "i"],
  });
  const info = defineFamily({ name: "llmops_hostile_meta", type: "info", help: "Info.", labels: ["v", "i"] });

  it("are written so that Prometheus' parsers accept every one, in both formats", () => {
    const samples = HOSTILE.flatMap((v, i) => [
      { family, labels: { v, i: String(i) }, value: i },
      { family: info, labels: { v, i: String(i) }, value: 1 },
    ]);
    const text = render(samples);
    expectValid(text);
    // One line per sample, whatever the values hold: nothing breaks out of its quotes.
    const sampleLines = text.openmetrics.split("\n").filter((line) => line !== "" && !line.startsWith("#"));
    expect(sampleLines).toHaveLength(samples.length);
    expect(text.openmetrics.match(/^# EOF$/gm)).toHaveLength(1);
  });

  it("are each accepted alone (a failure names the value)", () => {
    for (const v of HOSTILE) {
      const text = render([{ family, labels: { v }, value: 1 }]);
      expect(promtoolCheckMetrics(text.prometheus), JSON.stringify(v.slice(0, 40))).toEqual({ code: 0, output: "" });
    }
  });

  it("are made valid UTF-8: a lone surrogate becomes U+FFFD", () => {
    expect(boundLabelValue("a\ud800b")).toBe("a\ufffdb");
    expect(Buffer.from(boundLabelValue("\udfff"), "utf8").toString("utf8")).toBe("\ufffd");
  });

  it("are bounded: a long value keeps its start and a hash of the whole, so two long values stay two series", () => {
    const a = `${"é".repeat(400)}A`;
    const b = `${"é".repeat(400)}B`;
    const boundA = boundLabelValue(a);
    expect(Array.from(boundA)).toHaveLength(MAX_LABEL_VALUE_LENGTH);
    expect(boundA).toMatch(/^é+…[0-9a-f]{12}$/);
    expect(boundLabelValue(b)).not.toBe(boundA);
    // Counted in code points: a value of emoji is not cut inside a surrogate pair.
    const emoji = "😀".repeat(300);
    expect(
      Array.from(boundLabelValue(emoji))
        .slice(0, -13)
        .every((c) => c === "😀"),
    ).toBe(true);
    expect(boundLabelValue("x".repeat(MAX_LABEL_VALUE_LENGTH))).toBe("x".repeat(MAX_LABEL_VALUE_LENGTH));
    const set = new MetricSet();
    set.add({ family, labels: { v: a }, value: 1 });
    set.add({ family, labels: { v: b }, value: 2 });
    expect(set.size).toBe(2);
  });
});
