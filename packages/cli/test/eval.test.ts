import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { caseResultSchema, EVAL_ARTIFACT_TYPE, type RunSummary, runSummarySchema, silentLogger } from "@llmops/core";
import { buildRunSummary, junitTotalsOfFile, renderMarkdownFromResults, toJsonl, writeJUnitFromResults } from "@llmops/eval";
import { renderJUnit, renderRunSummaryMarkdown } from "@llmops/report";
import { openStore } from "@llmops/store";
import { afterEach, describe, expect, it } from "vitest";
import { type OpenAIServer, type OpenAIServerOptions, startOpenAIServer } from "../../../test/src/openai-server.ts";
import { runMain } from "./helpers.ts";

const BIN = fileURLToPath(new URL("../bin/llmops.js", import.meta.url));
const NODE = fileURLToPath(new URL("../../../node_modules/node/bin/node", import.meta.url));

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((f) => f()));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "llmops-eval-cli-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function server(options: OpenAIServerOptions = {}): Promise<OpenAIServer> {
  const s = await startOpenAIServer(options);
  cleanups.push(() => s.close());
  return s;
}

function llmops(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  return runMain(args, { cwd, env: { PATH: process.env.PATH, ...env } });
}

/** A suite whose cases the echo server answers correctly when the prompt is `{{text}}`. */
function config(url: string, extra: string[] = [], suite: string[] = []): string {
  return [
    "suites:",
    "  - name: echo",
    `    provider: { type: openai, baseUrl: "${url}", model: m1, apiKeyEnv: TEST_KEY }`,
    '    prompt: "{{text}}"',
    "    cases:",
    ...Array.from(
      { length: 12 },
      (_, i) => `      - { id: c${i}, vars: { text: "answer ${i}" }, expected: "answer ${i}", tags: { lang: ${i % 3 ? "en" : "de"} } }`,
    ),
    "    scorers: [{ type: equals, name: exact }]",
    "    slices: [lang]",
    "    retries: 1",
    ...suite,
    ...extra,
    "",
  ].join("\n");
}

const KEY = "sk-test-SECRET-0123456789abcdef";

async function readSummary(dir: string): Promise<RunSummary> {
  return runSummarySchema.parse(JSON.parse(await readFile(path.join(dir, "summary.json"), "utf8")));
}
async function readRows(dir: string) {
  const text = await readFile(path.join(dir, "results.jsonl"), "utf8");
  return text
    .trim()
    .split("\n")
    .map((line) => caseResultSchema.parse(JSON.parse(line)));
}

describe("llmops eval", () => {
  it("runs a suite, writes results, summary, JUnit and Markdown, and prints one JSON document", async () => {
    const s = await server({ latencyMs: 2, apiKey: KEY });
    const dir = await tempDir();
    await writeFile(
      path.join(dir, "llmops.yaml"),
      config(s.url, [], ["    gates: [{ metric: exact, min: 0.9 }, { metric: error_rate, max: 0 }]"]),
    );
    const result = await llmops(["eval", "--json"], dir, { TEST_KEY: KEY });
    expect(result.stderr).not.toContain("error");
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    const out = path.join(dir, ".llmops", "results", "echo");
    expect(doc).toEqual({
      suites: [
        {
          suite: "echo",
          passed: true,
          complete: true,
          summaryPath: path.join(out, "summary.json"),
          resultsPath: path.join(out, "results.jsonl"),
          junitPath: path.join(out, "junit.xml"),
          markdownPath: path.join(out, "summary.md"),
          metrics: expect.objectContaining({ exact: 1, pass_rate: 1, error_rate: 0 }),
        },
      ],
      passed: true,
      complete: true,
    });
    expect((await readdir(out)).sort()).toEqual(["junit.xml", "results.jsonl", "summary.json", "summary.md"]);
    const summary = await readSummary(out);
    expect(summary).toMatchObject({ suite: "echo", complete: true, passed: true, cases: 12, errors: 0, providers: ["openai:m1"] });
    expect(summary.slices.map((x) => `${x.key}=${x.value}`)).toEqual(["lang=de", "lang=en"]);
    expect(summary.gates.map((g) => g.passed)).toEqual([true, true]);
    const rows = await readRows(out);
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 12 }, (_, i) => `c${i}`));
    expect(await readFile(path.join(out, "junit.xml"), "utf8")).toContain("<testsuite");
    // Results, summaries and logs never carry the API key.
    for (const file of await readdir(out)) expect(await readFile(path.join(out, file), "utf8")).not.toContain(KEY);
    expect(result.stdout + result.stderr).not.toContain(KEY);
  });

  it("exits 1 when a gate fails, naming the reason", async () => {
    const s = await server({ respond: (r) => (r.messages.at(-1)!.content.endsWith("0") ? "wrong" : r.messages.at(-1)!.content) });
    const dir = await tempDir();
    await writeFile(
      path.join(dir, "llmops.yaml"),
      config(s.url, [], ["    gates: [{ metric: exact, min: 0.95 }, { metric: exact, min: 0.5, eachSlice: lang }]"]),
    );
    const result = await llmops(["eval"], dir, { TEST_KEY: KEY });
    expect(result.code).toBe(1);
    // c0 and c10 answer wrongly: exact = 10/12; both are lang=de (index % 3 == 0 → de: c0 c3 c6 c9)
    expect(result.stdout).toContain("✗ exact >= 0.95 — exact is 0.8333, expected >= 0.95");
    expect(result.stdout).toContain("✓ exact >= 0.5 on lang=de");
  });

  it("records provider garbage, timeouts and failures after retries per case and goes on", async () => {
    const faults: OpenAIServerOptions["faults"] = (request) => {
      const text = request.messages.at(-1)?.content ?? "";
      if (text === "answer 1") return { malformed: true };
      if (text === "answer 2") return { status: 500, message: "upstream exploded" };
      if (text === "answer 3") return { hang: true };
      if (text === "answer 4") return { reset: true };
      if (text === "answer 5") return { wrongShape: true };
      return undefined;
    };
    const s = await server({ faults });
    const dir = await tempDir();
    await writeFile(path.join(dir, "llmops.yaml"), config(s.url, ["    timeoutMs: 1000"]));
    const result = await llmops(["eval", "--json"], dir, { TEST_KEY: KEY });
    expect(result.code).toBe(0);
    const out = path.join(dir, ".llmops", "results", "echo");
    const rows = await readRows(out);
    expect(rows.map((r) => r.error !== null)).toEqual([false, true, true, true, true, true, false, false, false, false, false, false]);
    expect(rows[3]!.error).toContain("timed out after 1000 ms");
    expect(rows[2]!.error).toMatch(/500/);
    const summary = await readSummary(out);
    expect(summary.errors).toBe(5);
    expect(summary.metrics.find((m) => m.name === "error_rate")!.mean).toBeCloseTo(5 / 12, 12);
    expect(summary.metrics.find((m) => m.name === "exact")!.mean).toBeCloseTo(7 / 12, 12);
    // Retryable failures (500, timeout, reset) were retried once; malformed and wrong-shape bodies were not.
    const attempts = (text: string) => s.requests.filter((r) => r.messages.at(-1)?.content === text).length;
    expect([1, 2, 3, 4, 5].map((i) => attempts(`answer ${i}`))).toEqual([1, 2, 2, 2, 1]);
  });

  it("honours Retry-After on 429 (seen in the server's arrival times)", async () => {
    const arrivals: number[] = [];
    const s = await server({
      faults: (request) => {
        if (request.messages.at(-1)?.content !== "answer 0") return undefined;
        arrivals.push(performance.now());
        return request.attempt === 0 ? { status: 429, retryAfter: 1 } : undefined;
      },
    });
    const dir = await tempDir();
    await writeFile(path.join(dir, "llmops.yaml"), config(s.url));
    const result = await llmops(["eval"], dir, { TEST_KEY: KEY });
    expect(result.code).toBe(0);
    expect(arrivals).toHaveLength(2);
    // Without Retry-After the first backoff is at most 500 ms (full jitter); it waited the 1 s asked.
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(990);
    const rows = await readRows(path.join(dir, ".llmops", "results", "echo"));
    expect(rows[0]!.error).toBeNull();
  });

  it("serves a re-run from the response cache with zero provider calls; --no-cache calls again", async () => {
    const s = await server({ latencyMs: 1 });
    const dir = await tempDir();
    await writeFile(path.join(dir, "llmops.yaml"), config(s.url));
    expect((await llmops(["eval"], dir, { TEST_KEY: KEY })).code).toBe(0);
    expect(s.requests).toHaveLength(12);
    const first = await readSummary(path.join(dir, ".llmops", "results", "echo"));
    expect((await llmops(["eval"], dir, { TEST_KEY: KEY })).code).toBe(0);
    expect(s.requests).toHaveLength(12);
    const rows = await readRows(path.join(dir, ".llmops", "results", "echo"));
    expect(rows.every((r) => r.cached)).toBe(true);
    const second = await readSummary(path.join(dir, ".llmops", "results", "echo"));
    expect(second.metrics).toEqual(first.metrics);
    expect((await llmops(["eval", "--no-cache"], dir, { TEST_KEY: KEY })).code).toBe(0);
    expect(s.requests).toHaveLength(24);
  });

  it("merges shards into the summary the unsharded run gives", async () => {
    const s = await server({
      respond: (r) => (Number(r.messages.at(-1)!.content.split(" ")[1]) % 4 === 0 ? "no" : r.messages.at(-1)!.content),
    });
    const dir = await tempDir();
    await writeFile(
      path.join(dir, "llmops.yaml"),
      config(s.url, [], ["    gates: [{ metric: exact, min: 0.5 }, { metric: exact, maxGap: 0.5, across: lang }]"]),
    );
    expect((await llmops(["eval", "--out", "whole"], dir, { TEST_KEY: KEY })).code).toBe(0);
    const whole = await readSummary(path.join(dir, "whole", "echo"));
    for (const i of [1, 2, 3]) {
      const shard = await llmops(["eval", "--shard", `${i}/3`, "--out", `shard${i}`, "--json"], dir, { TEST_KEY: KEY });
      expect(shard.code).toBe(0);
      const summary = await readSummary(path.join(dir, `shard${i}`, "echo"));
      expect(summary).toMatchObject({ complete: false, shard: { index: i, count: 3 }, gates: [], passed: false });
    }
    // The shards were served from the cache the whole run filled, so latencies match exactly.
    expect(s.requests).toHaveLength(12);
    const merged = await llmops(["eval", "merge", "shard3/echo", "shard1/echo", "shard2/echo", "--out", "merged", "--json"], dir);
    expect(merged.stderr).toBe("");
    expect(merged.code).toBe(0);
    const summary = await readSummary(path.join(dir, "merged"));
    const strip = (x: RunSummary) => ({ ...x, startedAt: "", finishedAt: "" });
    expect(strip(summary)).toEqual(strip(whole));
    const wholeRows = (await readRows(path.join(dir, "whole", "echo"))).map((r) => ({ ...r, cached: false }));
    expect((await readRows(path.join(dir, "merged"))).map((r) => ({ ...r, cached: false }))).toEqual(wholeRows);

    const missing = await llmops(["eval", "merge", "shard1/echo", "shard2/echo", "--out", "bad"], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing shard 3/3");
  });

  it("attaches the results as evidence to the model version with --record", async () => {
    const s = await server();
    const dir = await tempDir();
    await writeFile(path.join(dir, "llmops.yaml"), config(s.url, ["store: .llmops/store"]));
    const modelDir = path.join(dir, "model");
    await rm(modelDir, { recursive: true, force: true });
    await import("node:fs/promises").then((fs) => fs.mkdir(modelDir)).then(() => writeFile(path.join(modelDir, "weights.bin"), "w"));
    const store = openStore(path.join(dir, ".llmops", "store"), { logger: silentLogger, cacheDir: path.join(dir, "cache") });
    await store.version({ path: modelDir, name: "clf", kind: "model" });
    const result = await llmops(["eval", "--model", "clf:v1", "--record", "--json"], dir, {
      TEST_KEY: KEY,
      LLMOPS_CACHE_DIR: path.join(dir, "cache"),
    });
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc.suites[0].evidenceDigest).toMatch(/^sha256:/);
    const subject = await store.resolve("clf:v1");
    const evidence = await store.listEvidence(subject, EVAL_ARTIFACT_TYPE);
    expect(evidence).toHaveLength(1);
    expect(evidence[0]!.annotations).toMatchObject({ "dev.llmops.suite": "echo", "dev.llmops.passed": "true" });
    const summary = runSummarySchema.parse(
      JSON.parse(new TextDecoder().decode(await store.readEvidenceFile(subject, evidence[0]!.digest, "summary.json"))),
    );
    expect(summary.model).toEqual({ ref: "clf:v1", digest: subject.digest });
  });
});

describe("llmops eval: judges and datasets", () => {
  it("asks an LLM judge through the runner and scores with its reply", async () => {
    const judge = await server({ respond: () => '```json\n{"score": 4, "reason": "mostly right"}\n```' });
    const s = await server();
    const dir = await tempDir();
    const scorer = `scorers: [{ type: llm-judge, name: judge, scale: 5, rubric: "Rate {{output}} against {{expected}}", provider: { type: openai, baseUrl: "${judge.url}", model: judge-model, apiKeyEnv: null } }]`;
    await writeFile(path.join(dir, "llmops.yaml"), config(s.url).replace("scorers: [{ type: equals, name: exact }]", scorer));
    const result = await llmops(["eval", "--json"], dir, { TEST_KEY: KEY });
    expect(result.code).toBe(0);
    expect(judge.requests).toHaveLength(12);
    // Requests go out concurrently, so look for case 0's rubric among them, not at index 0.
    expect(judge.requests.some((r) => r.messages.at(-1)!.content.startsWith("Rate answer 0 against answer 0"))).toBe(true);
    const rows = await readRows(path.join(dir, ".llmops", "results", "echo"));
    // A 4 on a 1..5 scale is (4 - 1) / (5 - 1) = 0.75.
    expect(rows[0]!.scores[0]).toMatchObject({ name: "judge", score: 0.75, reason: "mostly right" });
  });

  it("refuses a judge provider that is not a provider, before any call", async () => {
    const s = await server();
    const dir = await tempDir();
    const scorer = 'scorers: [{ type: llm-judge, rubric: "r {{output}}", provider: { type: openai } }]';
    await writeFile(path.join(dir, "llmops.yaml"), config(s.url).replace("scorers: [{ type: equals, name: exact }]", scorer));
    const result = await llmops(["eval"], dir, { TEST_KEY: KEY });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/llmops\.yaml:\d+:\d+: suites\[0\]\.scorers\[0\]\.provider\.model: /);
    expect(s.requests).toHaveLength(0);
  });

  it("reads cases from a dataset version in the store and pins its digest", async () => {
    const s = await server();
    const dir = await tempDir();
    const data = path.join(dir, "data");
    await import("node:fs/promises").then((fs) => fs.mkdir(data));
    await writeFile(path.join(data, "cases.jsonl"), `${JSON.stringify({ id: "d1", vars: { text: "answer 1" }, expected: "answer 1" })}\n`);
    const store = openStore(path.join(dir, ".llmops", "store"), { logger: silentLogger, cacheDir: path.join(dir, "cache") });
    const version = await store.version({ path: data, name: "evalset", kind: "dataset" });
    await writeFile(
      path.join(dir, "llmops.yaml"),
      [
        "suites:",
        "  - name: ds",
        `    provider: { type: openai, baseUrl: "${s.url}", model: m1, apiKeyEnv: null }`,
        '    prompt: "{{text}}"',
        "    casesFrom: { dataset: evalset:v1, file: cases.jsonl }",
        "    scorers: [{ type: equals }]",
        "",
      ].join("\n"),
    );
    const result = await llmops(["eval"], dir, { LLMOPS_CACHE_DIR: path.join(dir, "cache") });
    expect(result.code).toBe(0);
    const summary = await readSummary(path.join(dir, ".llmops", "results", "ds"));
    expect(summary.dataset).toEqual({ ref: "evalset:v1", digest: version.digest });
    expect(summary.cases).toBe(1);
    // A file the version lacks is named as a missing file, not as the glob fetch was given.
    await writeFile(
      path.join(dir, "llmops.yaml"),
      (await readFile(path.join(dir, "llmops.yaml"), "utf8")).replace("file: cases.jsonl", 'file: "other[1].jsonl"'),
    );
    const missing = await llmops(["eval"], dir, { LLMOPS_CACHE_DIR: path.join(dir, "cache") });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("dataset evalset:v1: has no file other[1].jsonl");
  });
});

describe("llmops eval: config errors exit 2 before any provider call", () => {
  const cases: [string, (url: string) => string, RegExp][] = [
    [
      "an unknown key",
      (url) => config(url, ["    concurency: 4"]),
      /llmops\.yaml:\d+:\d+: suites\[0\]\.concurency: unknown key "concurency"/,
    ],
    ["a wrong type", (url) => config(url, ["    repeats: many"]), /llmops\.yaml:\d+:\d+: suites\[0\]\.repeats: /],
    [
      "a missing cases file",
      (url) => config(url, ["    casesFrom: nope.jsonl"]).replace(/ {4}cases:\n( {6}- .*\n)+/, ""),
      /suites\[0\]\.casesFrom: expected a readable cases file; nope\.jsonl does not exist/,
    ],
    [
      "a bad regex",
      (url) => config(url).replace("scorers: [{ type: equals, name: exact }]", 'scorers: [{ type: regex, pattern: "(unclosed" }]'),
      /suites\[0\]\.scorers\[0\]\.pattern: invalid regular expression/,
    ],
    [
      "a custom scorer whose module does not exist",
      (url) => config(url).replace("scorers: [{ type: equals, name: exact }]", "scorers: [{ type: custom, module: ./missing-scorer.ts }]"),
      /missing-scorer\.ts/,
    ],
    [
      "a template variable a case lacks",
      (url) => config(url).replace('prompt: "{{text}}"', 'prompt: "{{text}} {{missing}}"'),
      /variable "missing" .*case "c0"/,
    ],
  ];
  it.each(cases)("%s", async (_name, make, pattern) => {
    const s = await server();
    const dir = await tempDir();
    await writeFile(path.join(dir, "llmops.yaml"), make(s.url));
    const result = await llmops(["eval"], dir, { TEST_KEY: KEY });
    expect(result.stderr).toMatch(pattern);
    expect(result.code).toBe(2);
    expect(s.requests).toHaveLength(0);
  });

  it("an unknown suite name", async () => {
    const s = await server();
    const dir = await tempDir();
    await writeFile(path.join(dir, "llmops.yaml"), config(s.url));
    const result = await llmops(["eval", "--suite", "nope"], dir, { TEST_KEY: KEY });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no suite named "nope"; the config has echo');
  });
});

describe("llmops eval: interruption", () => {
  it("on SIGINT writes partial results marked incomplete and exits 130", async () => {
    const s = await server({ latencyMs: 30 });
    const dir = await tempDir();
    const cases = Array.from({ length: 400 }, (_, i) =>
      JSON.stringify({ id: `c${i}`, vars: { text: `answer ${i}` }, expected: `answer ${i}` }),
    );
    await writeFile(path.join(dir, "cases.jsonl"), `${cases.join("\n")}\n`);
    await writeFile(
      path.join(dir, "llmops.yaml"),
      [
        "suites:",
        "  - name: long",
        `    provider: { type: openai, baseUrl: "${s.url}", model: m1, apiKeyEnv: TEST_KEY }`,
        '    prompt: "{{text}}"',
        "    casesFrom: cases.jsonl",
        "    scorers: [{ type: equals }]",
        "    concurrency: 2",
        "    gates: [{ metric: equals, min: 0 }]",
        "",
      ].join("\n"),
    );
    const child = spawn(NODE, [BIN, "eval", "--json"], {
      cwd: dir,
      env: { PATH: process.env.PATH, TEST_KEY: KEY },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    });
    // Interrupt once the run is under way (some requests answered), long before its end.
    while (s.requests.length < 10) await new Promise((r) => setTimeout(r, 20));
    child.kill("SIGINT");
    const code = await exited;
    expect(stderr).toContain("SIGINT: stopping");
    expect(code).toBe(130);
    const out = path.join(dir, ".llmops", "results", "long");
    const summary = await readSummary(out);
    expect(summary.complete).toBe(false);
    expect(summary.passed).toBe(false);
    expect(summary.gates).toEqual([]);
    const rows = await readRows(out);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(400);
    expect(rows.map((r) => r.index)).toEqual([...rows.map((r) => r.index)].sort((a, b) => a - b));
    // The streamed results file was put in place (no temp file left) and the summary counts its rows.
    expect((await readdir(out)).sort()).toEqual(["junit.xml", "results.jsonl", "summary.json", "summary.md"]);
    expect(summary.cases).toBe(rows.length);
    expect(JSON.parse(stdout)).toMatchObject({ passed: false, complete: false, suites: [{ suite: "long", complete: false }] });
  });
});

describe("llmops eval: large runs stream their results", () => {
  it("writes the JUnit and Markdown files the renderers give for every row, a chunk of rows at a time", async () => {
    // Every 7th answer is wrong and every 11th fails: both lists and their counts are in the files.
    const s = await server({
      respond: (r) => {
        const text = r.messages.at(-1)!.content;
        return Number(text.split(" ")[1]) % 7 === 0 ? `wrong <${text}> & "more"` : text;
      },
      faults: (r) => (Number(r.messages.at(-1)!.content.split(" ")[1]) % 11 === 0 ? { status: 400, message: "bad <request>" } : undefined),
    });
    const dir = await tempDir();
    const cases = Array.from({ length: 2600 }, (_, i) =>
      JSON.stringify({ id: `c${i}`, vars: { text: `answer ${i}` }, expected: `answer ${i}`, tags: { lang: i % 3 ? "en" : "de" } }),
    );
    await writeFile(path.join(dir, "cases.jsonl"), `${cases.join("\n")}\n`);
    await writeFile(
      path.join(dir, "llmops.yaml"),
      [
        "suites:",
        "  - name: big",
        `    provider: { type: openai, baseUrl: "${s.url}", model: m1, apiKeyEnv: TEST_KEY }`,
        '    prompt: "{{text}}"',
        "    casesFrom: cases.jsonl",
        "    scorers: [{ type: equals, name: exact }]",
        "    slices: [lang]",
        "    retries: 0",
        "    concurrency: 32",
        "",
      ].join("\n"),
    );
    const result = await llmops(["eval", "--json", "--no-cache"], dir, { TEST_KEY: KEY });
    expect(result.code).toBe(0);
    const out = path.join(dir, ".llmops", "results", "big");
    const summary = await readSummary(out);
    const rows = await readRows(out);
    expect(rows.map((r) => r.index)).toEqual(Array.from({ length: 2600 }, (_, i) => i));
    expect(summary).toMatchObject({ cases: 2600, errors: 237, complete: true });
    // 2,600 rows are rendered in chunks of 1,000; the file is what one render of every row gives.
    expect(await readFile(path.join(out, "junit.xml"), "utf8")).toBe(renderJUnit(summary, rows));
    expect(await readFile(path.join(out, "summary.md"), "utf8")).toBe(renderRunSummaryMarkdown(summary, rows));
  });

  it("the report's renderers splice and list exactly as when given every row (small chunks)", async () => {
    const dir = await tempDir();
    const rows = Array.from({ length: 1234 }, (_, i) =>
      caseResultSchema.parse({
        id: `c${i}`,
        index: i,
        vars: { q: i },
        provider: "p",
        output: i % 5 ? `out ${i} <&>` : null,
        error: i % 5 ? null : `HTTP 500: boom ${i}`,
        scores: [{ name: "exact", type: "equals", score: i % 3 ? 1 : 0, pass: i % 3 !== 0, reason: "why & <not>" }],
        pass: i % 5 !== 0 && i % 3 !== 0,
        latencyMs: 0.5 + (i % 17) * 3.3,
        tokens: null,
        cost: null,
      }),
    );
    const results = path.join(dir, "results.jsonl");
    await writeFile(results, toJsonl(rows));
    const summary = buildRunSummary({
      suite: "s&<x>",
      suiteDigest: `sha256:${"a".repeat(64)}`,
      rows,
      scorers: [],
      gates: [],
      sliceKeys: [],
      providers: ["p"],
      startedAt: "2026-01-01T00:00:00.000Z",
      finishedAt: "2026-01-01T00:01:00.000Z",
      complete: true,
    });
    const debug: string[] = [];
    const logger = { ...silentLogger, debug: (m: string) => debug.push(m) };
    await writeJUnitFromResults(renderJUnit, summary, results, path.join(dir, "junit.xml"), await junitTotalsOfFile(results), {
      chunkRows: 100,
      logger,
    });
    expect(debug).toEqual([]);
    expect(await readFile(path.join(dir, "junit.xml"), "utf8")).toBe(renderJUnit(summary, rows));
    expect(await renderMarkdownFromResults(renderRunSummaryMarkdown, summary, results, { listedRows: 21 })).toBe(
      renderRunSummaryMarkdown(summary, rows),
    );
  });
});
