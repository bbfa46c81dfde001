import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, canonicalJson, loadConfig, type SuiteConfig, silentLogger, suiteSchema } from "@llmops/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { caseId, type EvalCase, loadCases } from "../../src/cases/index.ts";
import { prepareSuite } from "../../src/run/suite.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "llmops-cases-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function suite(extra: Record<string, unknown>): SuiteConfig {
  return suiteSchema.parse({ name: "s", provider: { type: "replay", file: "r.jsonl" }, prompt: "{{q}}", ...extra });
}

async function fromFile(name: string, content: string | Uint8Array, extra: Record<string, unknown> = {}): Promise<EvalCase[]> {
  await writeFile(join(dir, name), content);
  return loadCases(suite({ casesFrom: name, ...extra }), { cwd: dir });
}

async function rejection(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

const sha12 = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 12);

describe("case ids", () => {
  it("hash canonical JSON of {vars, expected}: keys sorted, no whitespace (hand-written reference strings)", () => {
    expect(caseId({ q: "2+2", a: 1 }, "4")).toBe(sha12('{"expected":"4","vars":{"a":1,"q":"2+2"}}'));
    expect(caseId({ q: "x" }, undefined)).toBe(sha12('{"vars":{"q":"x"}}'));
    expect(caseId({ q: "x" }, { b: [1, 2], a: null })).toBe(sha12('{"expected":{"a":null,"b":[1,2]},"vars":{"q":"x"}}'));
  });

  it("are independent of key order, and an explicit id wins", async () => {
    const cases = await loadCases(
      suite({ cases: [{ vars: { a: 1, b: 2 } }, { vars: { b: 2, a: 1 }, expected: "x" }, { id: 7, vars: { a: 1 } }] }),
      { cwd: dir },
    );
    expect(cases.map((c) => c.id)).toEqual([sha12('{"vars":{"a":1,"b":2}}'), sha12('{"expected":"x","vars":{"a":1,"b":2}}'), "7"]);
    expect(cases.map((c) => c.index)).toEqual([0, 1, 2]);
  });

  it("duplicates are a config error naming both cases", async () => {
    const error = await rejection(loadCases(suite({ cases: [{ vars: { q: "a" } }, { vars: { q: "a" } }] }), { cwd: dir }));
    expect(error.message).toMatch(/unique case ids.*give them ids/);
    expect(error.yamlPath).toBe("suites[0].cases[1]");
  });
});

describe("JSONL", () => {
  it("reads flat rows (other keys become vars) and structured rows, skipping blank lines, with BOM and CRLF", async () => {
    const text =
      '\ufeff{"q": "a", "expected": "A", "id": "one"}\r\n\r\n{"vars": {"q": "b"}, "tags": {"lang": "de", "n": 2}, "metadata": {"src": "x"}}\n';
    const cases = await fromFile("c.jsonl", text);
    expect(cases).toHaveLength(2);
    expect(cases[0]).toMatchObject({ id: "one", vars: { q: "a" }, expected: "A", tags: {}, origin: { line: 1 } });
    expect(cases[1]).toMatchObject({ vars: { q: "b" }, tags: { lang: "de", n: "2" }, metadata: { src: "x" }, origin: { line: 3 } });
  });

  it("a line that is not JSON names file:line", async () => {
    const error = await rejection(fromFile("c.jsonl", '{"q": "a"}\n{"q": \n'));
    expect(error.location).toEqual({ file: join(dir, "c.jsonl"), line: 2, column: 1 });
    expect(error.expected).toMatch(/one JSON object per line/);
  });

  it("a structured row with an unknown key or a bad field names its line", async () => {
    let error = await rejection(fromFile("c.jsonl", '{"q": "a"}\n{"vars": {"q": "b"}, "expectd": 1}\n'));
    expect(error.location?.line).toBe(2);
    expect(error.expected).toMatch(/unknown key "expectd"/);
    error = await rejection(fromFile("d.jsonl", '{"vars": {"q": "b"}, "tags": {"lang": ["x"]}}\n'));
    expect(error.yamlPath).toBe("[0].tags.lang");
    error = await rejection(fromFile("e.jsonl", "[1, 2]\n"));
    expect(error.expected).toMatch(/expected a case/);
  });
});

describe("CSV (RFC 4180)", () => {
  it("handles quotes, escaped quotes, commas and newlines inside fields, a BOM and CRLF", async () => {
    const text = '\ufeffid,q,expected,tags.lang\r\n1,"say ""hi"", then go",hi,en\r\n2,"two\r\nlines",,de\r\n3,plain,"x,y",fr\r\n';
    const cases = await fromFile("c.csv", text);
    expect(cases.map((c) => [c.id, c.vars, c.expected, c.tags])).toEqual([
      ["1", { q: 'say "hi", then go' }, "hi", { lang: "en" }],
      ["2", { q: "two\r\nlines" }, undefined, { lang: "de" }],
      ["3", { q: "plain" }, "x,y", { lang: "fr" }],
    ]);
    // The record with an embedded newline starts on line 3 and ends on 4; the next starts on 5.
    expect(cases.map((c) => c.origin.line)).toEqual([2, 3, 5]);
  });

  it("maps vars.<k> and metadata.<k> columns and treats other columns as vars", async () => {
    const cases = await fromFile("c.csv", "vars.q,ctx,metadata.source\nhello,world,web\n");
    expect(cases[0]).toMatchObject({ vars: { q: "hello", ctx: "world" }, metadata: { source: "web" } });
  });

  it("a row with the wrong number of fields names its line", async () => {
    const error = await rejection(fromFile("c.csv", "q,expected\na,b\nc\n"));
    expect(error.location).toMatchObject({ line: 3 });
    expect(error.expected).toMatch(/RFC 4180/);
  });

  it("an unclosed quote is an error, not a silently merged row", async () => {
    const error = await rejection(fromFile("c.csv", 'q,expected\n"open,b\nc,d\n'));
    expect(error.expected).toMatch(/Quote Not Closed/i);
  });
});

describe("YAML and JSON files", () => {
  it("reads a list or {cases: [...]}, locating bad rows on their line", async () => {
    const cases = await fromFile("c.yaml", "cases:\n  - vars: { q: a }\n    expected: A\n  - q: b\n");
    expect(cases.map((c) => [c.vars, c.origin.line])).toEqual([
      [{ q: "a" }, 2],
      [{ q: "b" }, 4],
    ]);
    const error = await rejection(fromFile("d.yml", "- vars: { q: a }\n- vars: { q: b }\n  tags: 5\n"));
    expect(error.yamlPath).toBe("[1].tags");
    expect(error.location).toMatchObject({ file: join(dir, "d.yml"), line: 3, column: 9 });
  });

  it("reads a JSON array", async () => {
    const cases = await fromFile("c.json", JSON.stringify([{ q: "a" }, { vars: { q: "b" }, expected: 2 }]));
    expect(cases.map((c) => c.expected)).toEqual([undefined, 2]);
  });

  it("an unknown extension needs a format", async () => {
    await rejection(fromFile("c.txt", "q\na\n"));
    const cases = await fromFile("c.txt", "q\na\n", { casesFrom: { file: "c.txt", format: "csv" } });
    expect(cases[0]?.vars).toEqual({ q: "a" });
  });
});

describe("sources combined", () => {
  it("inline cases come first, then the file's, indexed in that order", async () => {
    await writeFile(join(dir, "c.jsonl"), '{"q": "file"}\n');
    const cases = await loadCases(suite({ cases: [{ vars: { q: "inline" } }], casesFrom: "c.jsonl" }), { cwd: dir });
    expect(cases.map((c) => [c.index, c.vars.q])).toEqual([
      [0, "inline"],
      [1, "file"],
    ]);
  });

  it("slice keys fall back to scalar vars when a case does not tag them", async () => {
    const cases = await fromFile("c.csv", "q,lang,tags.lang\na,de,\nb,fr,en\n", { slices: ["lang"] });
    // An empty tags.lang cell still counts as a tag value; only a missing tag falls back.
    expect(cases.map((c) => c.tags.lang)).toEqual(["", "en"]);
    const flat = await fromFile("d.jsonl", '{"q": "a", "lang": "de"}\n{"q": "b", "lang": "fr", "tags": {"lang": "xx"}}\n', {
      slices: ["lang"],
    });
    expect(flat.map((c) => c.tags.lang)).toEqual(["de", "xx"]);
  });

  it("reads a file of a dataset version through fetchDatasetFile", async () => {
    const calls: [string, string][] = [];
    const cases = await loadCases(suite({ casesFrom: { dataset: "qa:v3", file: "eval/cases.csv" } }), {
      cwd: dir,
      fetchDatasetFile: async (ref, file) => {
        calls.push([ref, file]);
        return new TextEncoder().encode("q,expected\nwhat,that\n");
      },
    });
    expect(calls).toEqual([["qa:v3", "eval/cases.csv"]]);
    expect(cases[0]).toMatchObject({ vars: { q: "what" }, expected: "that", origin: { file: "qa:v3/eval/cases.csv", line: 2 } });
  });

  it("a dataset without a store is a config error", async () => {
    const error = await rejection(loadCases(suite({ casesFrom: { dataset: "qa:v3", file: "c.jsonl" } }), { cwd: dir }));
    expect(error.yamlPath).toBe("suites[0].casesFrom.dataset");
  });

  it("an empty cases file is a config error", async () => {
    const error = await rejection(fromFile("c.jsonl", "\n"));
    expect(error.expected).toMatch(/at least one case/);
  });
});

describe("large JSONL files, read a line at a time", () => {
  const line = (i: number) =>
    JSON.stringify({ id: `c${i}`, q: `question ${i}`, expected: `answer ${i}`, tags: { lang: i % 2 ? "de" : "en" } });

  it("reads a file larger than one read chunk: every case, its line and index", async () => {
    const lines = Array.from({ length: 6000 }, (_, i) => line(i));
    lines.splice(3000, 0, "", "  ");
    const text = `${lines.join("\r\n")}\r\n`;
    expect(text.length).toBeGreaterThan(400 * 1024);
    const cases = await fromFile("c.jsonl", text);
    expect(cases).toHaveLength(6000);
    expect(cases[5999]).toMatchObject({
      id: "c5999",
      index: 5999,
      vars: { q: "question 5999" },
      expected: "answer 5999",
      tags: { lang: "de" },
    });
    expect(cases[5999]!.origin).toEqual({ file: join(dir, "c.jsonl"), line: 6002, column: 1, yamlPath: "[5999]" });
    expect(cases.map((c) => c.origin.line).slice(2998, 3002)).toEqual([2999, 3000, 3003, 3004]);
    // Fields read back in any order are each case's own.
    const backwards = [...cases].reverse().map((c) => [c.tags.lang, c.expected, c.vars.q, c.id, c.index]);
    expect(backwards.reverse()).toEqual(cases.map((_, i) => [i % 2 ? "de" : "en", `answer ${i}`, `question ${i}`, `c${i}`, i]));
  });

  it("a bad line deep in a large file names its line", async () => {
    const lines = Array.from({ length: 6000 }, (_, i) => (i === 4999 ? '{"id": "c4999", "q": ' : line(i)));
    const error = await rejection(fromFile("c.jsonl", `\n${lines.join("\n")}\n`));
    expect(error.location).toEqual({ file: join(dir, "c.jsonl"), line: 5001, column: 1 });
    expect(error.yamlPath).toBe("[4999]");
    expect(error.expected).toMatch(/^expected one JSON object per line \(/);
  });

  it("finds a duplicate id far from the first, and keeps many distinct tag sets", async () => {
    const lines = Array.from({ length: 6000 }, (_, i) => JSON.stringify({ id: `c${i}`, q: "x", tags: { n: i } }));
    const cases = await fromFile("a.jsonl", lines.join("\n"));
    expect(cases.map((c) => c.tags.n)).toEqual(Array.from({ length: 6000 }, (_, i) => String(i)));
    const error = await rejection(fromFile("b.jsonl", `${lines.join("\n")}\n${JSON.stringify({ id: "c10", q: "y" })}\n`));
    expect(error.message).toBe(
      `${join(dir, "b.jsonl")}:6001:1: [6000]: expected unique case ids; "c10" is also case "c10" (${join(dir, "b.jsonl")}:11)`,
    );
  });

  it("a huge single line (several read chunks) within the limit", async () => {
    const big = "é".repeat(1_500_000);
    const cases = await fromFile("c.jsonl", `${line(0)}\n${JSON.stringify({ id: "big", q: big })}\r\n${line(2)}`);
    expect(cases.map((c) => [c.id, c.origin.line])).toEqual([
      ["c0", 1],
      ["big", 2],
      ["c2", 3],
    ]);
    expect(cases[1]!.vars.q).toBe(big);
  });

  it("a BOM, CRLF, blank lines and a last line without a newline, from a file or a dataset", async () => {
    const text = '\ufeff{"q": "a"}\r\n\r\n\n{"q": "b"}\r\n  \t\r\n{"q": "c"}';
    const expected = [
      [{ q: "a" }, 1, "[0]"],
      [{ q: "b" }, 4, "[1]"],
      [{ q: "c" }, 6, "[2]"],
    ];
    const cases = await fromFile("c.jsonl", text);
    expect(cases.map((c) => [c.vars, c.origin.line, c.origin.yamlPath])).toEqual(expected);
    const fromDataset = await loadCases(suite({ casesFrom: { dataset: "qa:v1", file: "c.jsonl" } }), {
      cwd: dir,
      fetchDatasetFile: async () => new TextEncoder().encode(text),
    });
    expect(fromDataset.map((c) => [c.vars, c.origin.line, c.origin.yamlPath])).toEqual(expected);
  });

  it("reports errors as reading the whole file did: syntax, then an invalid row, then a duplicate", async () => {
    // A syntax error wins over an invalid row above it.
    let error = await rejection(fromFile("a.jsonl", '{"q": "a"}\n{"vars": {"q": "b"}, "bad": 1}\n{"q": \n'));
    expect([error.location?.line, error.expected]).toEqual([3, "expected one JSON object per line (Unexpected end of JSON input)"]);
    // An invalid row wins over a duplicate id above it.
    error = await rejection(fromFile("b.jsonl", '{"id": "x", "q": "a"}\n{"id": "x", "q": "b"}\n{"vars": {"q": "b"}, "bad": 1}\n'));
    expect([error.location?.line, error.expected]).toEqual([
      3,
      'unknown key "bad" (a case with vars has only id, vars, expected, tags, metadata, messages, toolResults)',
    ]);
    // A duplicate of an inline case names it; a syntax error in the file still wins over it.
    const inline = { cases: [{ vars: { q: "a" } }] };
    error = await rejection(fromFile("c.jsonl", '{"q": "b"}\n{"q": "a"}\n', inline));
    expect(error.message).toBe(
      `${join(dir, "c.jsonl")}:2:1: [1]: expected unique case ids; "${caseId({ q: "a" }, undefined)}" is also case "${caseId({ q: "a" }, undefined)}" (llmops.yaml suites[0].cases[0]) (identical vars and expected: give them ids)`,
    );
    error = await rejection(fromFile("d.jsonl", '{"q": "a"}\n{"q": \n', { cases: [{ vars: { q: "a" } }, { vars: { q: "a" } }] }));
    expect(error.location?.line).toBe(2);
  });

  it("keeps values JSON cannot carry exactly as they were parsed", async () => {
    const cases = await fromFile(
      "c.jsonl",
      '{"id": "a", "big": 1e400, "z": -0, "n": 0.1}\n{"id": "b", "vars": {"x": [-0.0]}, "expected": -1e999}\n',
    );
    expect(cases[0]!.vars).toEqual({ big: Number.POSITIVE_INFINITY, z: -0, n: 0.1 });
    expect(Object.is(cases[0]!.vars.z, -0)).toBe(true);
    expect(Object.is((cases[1]!.vars.x as number[])[0], -0)).toBe(true);
    expect(cases[1]!.expected).toBe(Number.NEGATIVE_INFINITY);
  });

  it("feeds the suite digest exactly the cases' id, vars, expected and tags (hand-written reference)", async () => {
    await writeFile(
      join(dir, "c.jsonl"),
      '\ufeff{"q": "a", "expected": "A", "id": "one", "lang": "de"}\r\n\n{"vars": {"q": "b", "10": 1}, "tags": {"lang": "fr", "n": 2}, "metadata": {"src": "x"}}\n{"q": "c", "expected": {"b": [1, 2.5], "a": null}}',
    );
    await writeFile(
      join(dir, "llmops.yaml"),
      'suites:\n  - name: s\n    provider: { type: replay, file: r.jsonl }\n    prompt: "Q: {{q}}"\n    casesFrom: c.jsonl\n    slices: [lang]\n',
    );
    const loaded = await loadConfig(undefined, { cwd: dir });
    const prepared = await prepareSuite({
      loaded,
      suite: loaded.config.suites[0]!,
      suiteIndex: 0,
      env: {},
      logger: silentLogger,
      providers: false,
    });
    const ids = [sha12('{"vars":{"10":1,"q":"b"}}'), sha12('{"expected":{"a":null,"b":[1,2.5]},"vars":{"q":"c"}}')];
    const material = {
      suite: loaded.config.suites[0],
      prompts: [{ text: "Q: {{q}}" }],
      cases: [
        { id: "one", vars: { q: "a", lang: "de" }, expected: "A", tags: { lang: "de" } },
        { id: ids[0], vars: { q: "b", 10: 1 }, tags: { lang: "fr", n: "2" } },
        { id: ids[1], vars: { q: "c" }, expected: { b: [1, 2.5], a: null }, tags: {} },
      ],
    };
    expect(prepared.variants[0]!.digest).toBe(`sha256:${createHash("sha256").update(canonicalJson(material)).digest("hex")}`);
  });
});
