import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CaseResult, caseResultSchema, loadConfig, silentLogger } from "@llmops/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runTasks } from "../../src/run/runner.ts";
import { prepareSuite } from "../../src/run/suite.ts";
import {
  answerToolCall,
  MAX_CONVERSATION_TOOL_BYTES,
  MAX_TOOL_JSON_BYTES,
  type ModuleTools,
  recordedCalls,
  type ToolFunction,
} from "../../src/run/tool-answers.ts";
import type { RunTask } from "../../src/run/types.ts";
import { scriptedModel, toolCall } from "./agent-helpers.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "llmops-agent-bounds-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const tools = (entries: Record<string, ToolFunction>): ModuleTools => new Map(Object.entries(entries));
const task: RunTask = { index: 0, id: "big", repeat: 0, prompt: "go", vars: {}, tags: {} };
const KEY = "sk-live-abcdefghijklmnop0123";

describe("the size of an agent's conversation", () => {
  it("tool results past 8 MiB in all end the case with an error; the trajectory so far is kept, its results bounded", async () => {
    expect(MAX_CONVERSATION_TOOL_BYTES).toBe(8 * 1024 * 1024);
    // 128 calls a turn, each answered with just under 1 MiB: the model would go on for 50 turns.
    const model = scriptedModel(() => ({
      output: "",
      toolCalls: Array.from({ length: 128 }, (_, i) => toolCall("blob", { i }, `c${i}`)),
      finishReason: "tool_calls",
    }));
    const blob = "x".repeat(MAX_TOOL_JSON_BYTES - 100);
    const { results } = await runTasks({
      provider: model,
      tasks: [task],
      scorers: [],
      agent: { maxTurns: 50, tools: tools({ blob: () => blob }) },
    });
    const row = results[0]!;
    expect(model.calls).toHaveLength(1);
    expect(row.error).toBe("turn 1: the conversation's tool calls and results exceed 8 MiB");
    expect(row.turns).toBe(1);
    const withResult = row.trajectory!.filter((step) => step.result !== undefined);
    expect(withResult).toHaveLength(8);
    expect(row.trajectory).toHaveLength(9);
    expect(row.trajectory![8]).toMatchObject({ error: "the conversation's tool calls and results exceed 8 MiB", source: "module" });
    expect(row.trajectory![8]!.result).toBeUndefined();
    const bytes = row.trajectory!.reduce((sum, step) => sum + Buffer.byteLength(JSON.stringify(step.result ?? null)), 0);
    expect(bytes).toBeLessThanOrEqual(MAX_CONVERSATION_TOOL_BYTES);
    expect(caseResultSchema.parse(JSON.parse(JSON.stringify(row)))).toEqual(row);
  });

  it("the arguments of a reply's calls count too: the calls past the bound are not answered", async () => {
    const big = "y".repeat(MAX_TOOL_JSON_BYTES - 100);
    let answered = 0;
    const model = scriptedModel(() => ({
      output: "",
      toolCalls: Array.from({ length: 20 }, (_, i) => toolCall("f", { big }, `c${i}`)),
    }));
    const { results } = await runTasks({
      provider: model,
      tasks: [task],
      scorers: [],
      agent: { maxTurns: 5, tools: tools({ f: () => ++answered }) },
    });
    expect(answered).toBe(8);
    expect(results[0]!.error).toMatch(/^turn 1: the conversation's tool calls and results exceed 8 MiB/);
    expect(results[0]!.trajectory).toHaveLength(8);
    // The row's own toolCalls (the last reply's) are bounded as well.
    const recorded = recordedCalls(Array.from({ length: 20 }, (_, i) => toolCall("f", { big }, `c${i}`)));
    expect(Buffer.byteLength(JSON.stringify(recorded))).toBeLessThan(MAX_CONVERSATION_TOOL_BYTES + 64 * 1024);
    expect(recorded[19]!.arguments).toMatch(/over the 8388608-byte limit of a reply's calls/);
  });

  it("a tool name longer than 64 characters, or not of the config's pattern, is answered with an error and recorded cut", async () => {
    const long = "n".repeat(10_000);
    const model = scriptedModel((messages) =>
      messages.at(-1)!.role === "tool"
        ? { output: "done" }
        : { output: "", toolCalls: [toolCall(long, {}, "c1"), toolCall("bad name!", {}, "c2")] },
    );
    const { results } = await runTasks({
      provider: model,
      tasks: [task],
      scorers: [],
      agent: { maxTurns: 3, tools: tools({ [long]: () => "should not run" }) },
    });
    const [first, second] = results[0]!.trajectory!;
    expect(first!.call.name).toBe("n".repeat(64));
    expect(first).toMatchObject({
      source: "missing",
      error: `the tool name "${"n".repeat(64)}"… is not 1-64 letters, digits, _ or -; not answered`,
    });
    expect(second).toMatchObject({
      source: "missing",
      error: 'the tool name "bad name!" is not 1-64 letters, digits, _ or -; not answered',
    });
  });
});

describe("secrets in module tools' errors and results", () => {
  const redact = (text: string) => text.split(KEY).join("***");
  const call = { id: "c1", name: "leaky", arguments: {} };

  it("a tool's error and its result are redacted before they are recorded or sent", async () => {
    const thrown = await answerToolCall(call, {
      tools: tools({
        leaky: () => {
          throw new Error(`bad key ${KEY}`);
        },
      }),
      timeoutMs: 1000,
      redact,
    });
    expect(thrown).toEqual({
      source: "module",
      error: "tool leaky failed: bad key ***",
      content: '{"error":"tool leaky failed: bad key ***"}',
    });
    const returned = await answerToolCall(call, { tools: tools({ leaky: () => ({ note: `key=${KEY}`, n: 1 }) }), timeoutMs: 1000, redact });
    expect(returned).toEqual({ source: "module", result: { note: "key=***", n: 1 }, content: '{"note":"key=***","n":1}' });
  });

  it("a suite redacts every credential of the environment from module tools, in results.jsonl and in what the model is sent", async () => {
    await writeFile(
      join(dir, "model.mjs"),
      `export default ({ messages }) => {
        const last = messages?.at(-1);
        if (last?.role === "tool") return { output: "told: " + last.content };
        return { output: "", toolCalls: [{ id: "c1", name: "leaky", arguments: {} }, { id: "c2", name: "echo", arguments: {} }] };
      };`,
    );
    await writeFile(
      join(dir, "tools.mjs"),
      `export function leaky() { throw new Error("bad key " + process.env.OPENAI_API_KEY); }
       export function echo() { return { key: process.env.OPENAI_API_KEY }; }`,
    );
    await writeFile(
      join(dir, "llmops.yaml"),
      [
        "suites:",
        "  - name: leak",
        "    provider: { type: module, path: model.mjs }",
        '    prompt: "go"',
        "    agent:",
        "      tools:",
        "        leaky: { module: tools.mjs, export: leaky }",
        "        echo: { module: tools.mjs, export: echo }",
        "    cases: [{ id: a }]",
        "    scorers: [{ type: contains, value: told }]",
        "",
      ].join("\n"),
    );
    const previous = process.env.OPENAI_API_KEY;
    process.env.OPENAI_API_KEY = KEY;
    try {
      const loaded = await loadConfig(undefined, { cwd: dir });
      const prepared = await prepareSuite({
        loaded,
        suite: loaded.config.suites[0]!,
        suiteIndex: 0,
        env: { OPENAI_API_KEY: KEY },
        logger: silentLogger,
      });
      const [run] = await prepared.execute({ cacheDir: null, outDir: () => join(dir, "out") });
      const text = await readFile(run!.written!.resultsPath, "utf8");
      expect(text).not.toContain(KEY);
      const row = JSON.parse(text.trim()) as CaseResult;
      expect(row.trajectory).toMatchObject([
        { error: "tool leaky failed: bad key ***", source: "module" },
        { result: { key: "***" }, source: "module" },
      ]);
      expect(row.output).toBe('told: {"key":"***"}');
    } finally {
      if (previous === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = previous;
    }
  });
});
