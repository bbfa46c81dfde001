import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError, readLocatedYaml, recordingLogger } from "@llmops/core";
import { openStore } from "@llmops/store";
import { type OpenAIServer, startOpenAIServer } from "@llmops/test/openai-server";
import { startRegistry } from "@llmops/test/registry";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { inputName } from "../src/action-inputs.ts";
import { evalActionInputsSchema, readEvalInputs, runEvalAction, writeEvalOutputs } from "../src/eval-action.ts";

const JUDGE_KEY = "sk-judge-ACTIONSECRET-5e4d3c2b1a";
let workspace: string;
let judge: OpenAIServer;
const savedEnv = { ...process.env };

beforeEach(async () => {
  workspace = await mkdtemp(join(tmpdir(), "llmops-eval-action-src-"));
  judge = await startOpenAIServer({ apiKey: JUDGE_KEY, respond: () => '{"score": 1, "reason": "fine"}' });
});
afterEach(async () => {
  vi.restoreAllMocks();
  process.env = { ...savedEnv };
  await judge.close();
  await rm(workspace, { recursive: true, force: true });
});

const inputs = (overrides: Record<string, string> = {}) =>
  evalActionInputsSchema.parse({
    config: "llmops.yaml",
    suites: "",
    model: "",
    baseUrl: "",
    modelName: "",
    store: "",
    record: "false",
    check: "false",
    cache: "false",
    shard: "",
    merge: "",
    out: "results",
    failOnGate: "true",
    uploadResults: "false",
    storeUsername: "",
    storePassword: "",
    ...overrides,
  });

describe("runEvalAction", () => {
  it("masks an llm-judge's API key before any call, as it masks the model's", async () => {
    await writeFile(join(workspace, "answer.mjs"), "export default ({ vars }) => String(vars.q);\n");
    await writeFile(
      join(workspace, "llmops.yaml"),
      [
        "suites:",
        "  - name: qa",
        "    provider: { type: module, path: answer.mjs }",
        '    prompt: "{{q}}"',
        "    cases: [{ id: a, vars: { q: one } }, { id: b, vars: { q: two } }]",
        "    scorers:",
        "      - type: llm-judge",
        '        rubric: "Is {{output}} right?"',
        `        provider: { type: openai, model: judge, baseUrl: "${judge.url}", apiKeyEnv: JUDGE_API_KEY }`,
        "",
      ].join("\n"),
    );
    process.env.GITHUB_WORKSPACE = workspace;
    process.env.GITHUB_OUTPUT = join(workspace, "output.txt");
    process.env.GITHUB_STEP_SUMMARY = join(workspace, "summary.md");
    process.env.JUDGE_API_KEY = JUDGE_KEY;
    await writeFile(process.env.GITHUB_OUTPUT, "");
    await writeFile(process.env.GITHUB_STEP_SUMMARY, "");
    const stdout: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      stdout.push(String(chunk));
      return true;
    });

    await runEvalAction(inputs());
    vi.restoreAllMocks();

    expect(judge.requests).toHaveLength(2);
    const lines = stdout.join("").split("\n");
    const firstMask = lines.indexOf(`::add-mask::${JUDGE_KEY}`);
    expect(firstMask).toBeGreaterThanOrEqual(0);
    // Masked before the run logged anything about the suite, and never printed otherwise.
    expect(lines.slice(0, firstMask).some((line) => line.includes("qa"))).toBe(false);
    expect(lines.filter((line) => line.includes(JUDGE_KEY))).toEqual([`::add-mask::${JUDGE_KEY}`]);
    for (const name of await readdir(join(workspace, "results", "qa"))) {
      expect(await readFile(join(workspace, "results", "qa", name), "utf8")).not.toContain(JUDGE_KEY);
    }
  });

  it("merge: a shard summary that is not an eval summary is a one-line error naming the file", async () => {
    process.env.GITHUB_WORKSPACE = workspace;
    const shard = join(workspace, "shards", "qa-1");
    await mkdir(shard, { recursive: true });
    // The suite name becomes the output directory: it must be validated before it is used.
    await writeFile(join(shard, "summary.json"), JSON.stringify({ schemaVersion: 1, suite: 42 }));
    const error = await runEvalAction(inputs({ merge: "shards/*" })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(
      `${join(shard, "summary.json")}: not an eval summary: suite: Invalid input: expected string, received number`,
    );
  });
});

describe("runEvalAction returns what ran; writeEvalOutputs reports it", () => {
  const suite = (gate: string) =>
    [
      "suites:",
      "  - name: qa",
      "    provider: { type: module, path: answer.mjs }",
      '    prompt: "{{q}}"',
      "    cases: [{ id: a, vars: { q: one }, expected: one }, { id: b, vars: { q: two }, expected: zwei }]",
      "    scorers: [{ type: equals, name: exact }]",
      `    gates: [${gate}]`,
      "",
    ].join("\n");

  beforeEach(async () => {
    await writeFile(join(workspace, "answer.mjs"), "export default ({ vars }) => String(vars.q);\n");
  });

  it("a failed gate is the result's failure, not yet the step's; the writer sets outputs, summary and the failure", async () => {
    await writeFile(join(workspace, "llmops.yaml"), suite("{ metric: exact, min: 0.9 }"));
    const logger = recordingLogger();
    const result = await runEvalAction(inputs(), { workspace, env: {}, logger });
    expect(result).toEqual({
      resultsPath: join(workspace, "results"),
      suites: [
        {
          suite: "qa",
          passed: false,
          complete: true,
          summaryPath: join(workspace, "results", "qa", "summary.json"),
          markdownPath: join(workspace, "results", "qa", "summary.md"),
          metrics: expect.objectContaining({ exact: 0.5 }),
        },
      ],
      passed: false,
      failure: "gate failed: qa: exact is 0.5, expected >= 0.9",
    });
    expect(process.exitCode).toBeUndefined();

    const warned = await runEvalAction(inputs({ failOnGate: "false" }), { workspace, env: {}, logger });
    expect(warned.failure).toBeUndefined();
    expect(logger.lines).toContainEqual({
      level: "warn",
      message: "gate failed (fail-on-gate is false): qa: exact is 0.5, expected >= 0.9",
    });

    process.env.GITHUB_OUTPUT = join(workspace, "output.txt");
    process.env.GITHUB_STEP_SUMMARY = join(workspace, "summary.md");
    await writeFile(process.env.GITHUB_OUTPUT, "");
    await writeFile(process.env.GITHUB_STEP_SUMMARY, "");
    vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      await writeEvalOutputs(result);
      expect(process.exitCode).toBe(1);
    } finally {
      process.exitCode = undefined;
      vi.restoreAllMocks();
    }
    const outputs = await readFile(process.env.GITHUB_OUTPUT, "utf8");
    expect(outputs).toContain(`summary-path<<`);
    expect(outputs).toContain(`${join(workspace, "results", "qa", "summary.json")}`);
    expect(outputs).toMatch(/passed<<.*\nfalse\n/);
    expect(await readFile(process.env.GITHUB_STEP_SUMMARY, "utf8")).toContain("qa");
  });

  it("reads exactly the inputs actions/eval/action.yml declares", async () => {
    const { value } = await readLocatedYaml(join(import.meta.dirname, "..", "..", "..", "actions", "eval", "action.yml"));
    const declared = Object.keys((value as { inputs: object }).inputs).sort();
    expect(Object.keys(evalActionInputsSchema.shape).map(inputName).sort()).toEqual(declared);
  });

  it("reads its inputs by their action.yml names", () => {
    const raw: Record<string, string> = {
      config: "llmops.yaml",
      out: "o",
      record: "true",
      check: "false",
      cache: "false",
      "fail-on-gate": "True",
    };
    raw["upload-results"] = "false";
    raw.suites = "a,b";
    const parsed = readEvalInputs((name) => raw[name] ?? "");
    expect(parsed).toMatchObject({ record: true, cache: false, failOnGate: true, suites: ["a", "b"], storePassword: "" });
  });

  it("with every store input at its default, finds the model where the version action put it: GHCR of the repository", async () => {
    const registry = await startRegistry();
    try {
      await writeFile(join(workspace, "llmops.yaml"), suite("{ metric: exact, min: 0.5 }"));
      await mkdir(join(workspace, "model"));
      await writeFile(join(workspace, "model", "weights.bin"), "w");
      const ghcr = openStore(`oci://${registry.host}/octo-org/octo-repo`, { logger: recordingLogger(), cwd: workspace, env: {} });
      const version = await ghcr.version({ path: "model", name: "acme/sentiment", kind: "model" });
      const env = { GITHUB_ACTIONS: "true", GITHUB_REPOSITORY: "Octo-Org/Octo-Repo", LLMOPS_TEST_GHCR_HOST: registry.host };
      const logger = recordingLogger();
      vi.spyOn(process.stdout, "write").mockImplementation(() => true);
      const result = await runEvalAction(inputs({ model: version.ref, record: "true", storePassword: "ghs_job" }), {
        workspace,
        env,
        logger,
      });
      vi.restoreAllMocks();
      expect(result.passed).toBe(true);
      expect(result.suites[0]!.evidenceDigest).toMatch(/^sha256:/);
      expect(logger.lines).toContainEqual({
        level: "info",
        message: `store oci://${registry.host}/octo-org/octo-repo (GHCR of the repository, the default in GitHub Actions, the job's GITHUB_TOKEN)`,
      });
      const summary = JSON.parse(await readFile(result.suites[0]!.summaryPath, "utf8"));
      expect(JSON.stringify(summary)).toContain(version.digest);
    } finally {
      await registry.close();
    }
  });

  it("opens no store when the run needs none", async () => {
    await writeFile(join(workspace, "llmops.yaml"), suite("{ metric: exact, min: 0.5 }"));
    const logger = recordingLogger();
    const env = { GITHUB_ACTIONS: "true", GITHUB_REPOSITORY: "o/r" };
    const result = await runEvalAction(inputs(), { workspace, env, logger });
    expect(result.passed).toBe(true);
    expect(logger.lines.filter((l) => l.message.startsWith("store "))).toEqual([]);
  });
});

describe("runEvalAction with check: true, the dataset gate of `llmops eval --check`", () => {
  const DIRTY = '{"id":"a","vars":{"q":"mail me: jane@example.com"},"expected":"ok"}\n';
  const CLEAN = '{"id":"a","vars":{"q":"one"},"expected":"one"}\n';

  async function setup(cases: string): Promise<void> {
    await mkdir(join(workspace, "data"));
    await writeFile(join(workspace, "data", "cases.jsonl"), cases);
    await writeFile(join(workspace, "answer.mjs"), "export default ({ vars }) => String(vars.q);\n");
    const store = openStore(join(workspace, "store"), { logger: recordingLogger(), cwd: workspace, cacheDir: join(workspace, ".cache") });
    await store.version({ path: join(workspace, "data"), name: "acme/train", kind: "dataset" });
    await writeFile(
      join(workspace, "llmops.yaml"),
      [
        "store: store",
        "artifacts:",
        "  acme/train: { kind: dataset, path: data, checks: { pii: { max: 0 } } }",
        "suites:",
        "  - name: qa",
        "    provider: { type: module, path: answer.mjs }",
        '    prompt: "{{q}}"',
        "    casesFrom: { dataset: acme/train:v1, file: cases.jsonl }",
        "    scorers: [{ type: equals }]",
        "",
      ].join("\n"),
    );
  }

  it("runs no suite when a dataset a suite reads fails its checks, and says which and why in one line", async () => {
    await setup(DIRTY);
    const logger = recordingLogger();
    await expect(runEvalAction(inputs({ check: "true" }), { workspace, env: {}, logger })).rejects.toThrow(
      "acme/train: failed its checks (pii: 1 personal data or secrets (max 0; email 1)); read by suite qa; no suite was run",
    );
    await expect(readdir(join(workspace, "results"))).rejects.toThrow();
    expect(JSON.stringify(logger.lines)).not.toContain("jane@");

    const unchecked = await runEvalAction(inputs(), { workspace, env: {}, logger: recordingLogger() });
    expect(unchecked.suites.map((s) => s.suite)).toEqual(["qa"]);
  });

  it("runs the suites when every check passes, and refuses check with merge", async () => {
    await setup(CLEAN);
    const result = await runEvalAction(inputs({ check: "true" }), { workspace, env: {}, logger: recordingLogger() });
    expect(result.suites.map((s) => [s.suite, s.passed])).toEqual([["qa", true]]);
    await expect(
      runEvalAction(inputs({ check: "true", merge: "results/*" }), { workspace, env: {}, logger: recordingLogger() }),
    ).rejects.toThrow("input check: applies to a run of suites, not to merge");
  });
});
