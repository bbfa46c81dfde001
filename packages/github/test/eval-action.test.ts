import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError } from "@llmops/core";
import { type OpenAIServer, startOpenAIServer } from "@llmops/test/openai-server";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { evalActionInputsSchema, runEvalAction } from "../src/eval-action.ts";

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
    cache: "false",
    shard: "",
    merge: "",
    out: "results",
    failOnGate: "true",
    uploadResults: "false",
    token: "",
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
