import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CaseResult, caseResultSchema, InputError, type RunSummary } from "@llmops/core";
import { afterEach, describe, expect, it } from "vitest";
import { parseResults } from "../../src/results/parse.ts";
import { readResultsFile } from "../../src/results/stream.ts";
import { readRunOutputs, toJsonl, writeRunOutputs } from "../../src/results/write.ts";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** An agent run's row with every field issue 15 added, as the runner writes it. */
const agentRow: CaseResult = {
  id: "paris",
  index: 0,
  repeat: 0,
  vars: { city: "Paris" },
  expected: "21",
  tags: { kind: "weather" },
  provider: "openai:gpt-4o-mini",
  prompt: "What is the weather in Paris?",
  output: "It is 21 degrees.",
  error: null,
  scores: [{ name: "trajectory", type: "trajectory", score: 1, pass: true, weight: 1 }],
  pass: true,
  latencyMs: 812.5,
  tokens: { prompt: 120, completion: 30, total: 150 },
  cost: 0.0012,
  cached: false,
  finishReason: "stop",
  trajectory: [
    {
      turn: 1,
      call: { id: "call_1", name: "weather", arguments: { city: "Paris", unit: "c" } },
      result: { temp: 21, sky: ["clear"] },
      source: "fixture",
    },
    { turn: 1, call: { id: "call_2", name: "clock", arguments: "not json {" }, error: "tool clock failed: boom", source: "module" },
    { turn: 2, call: { id: "call_3", name: "calendar", arguments: {} }, error: "no tool result for calendar", source: "missing" },
    { turn: 2, call: { id: "call_4", name: "noop", arguments: null }, result: null, source: "module" },
  ],
  turns: 3,
  ttftMs: 95.25,
  tokensPerSecond: 41.5,
};

/** A row cut off at maxTurns, still calling a tool, with streaming figures it could not compute. */
const cutOff: CaseResult = {
  ...agentRow,
  id: "loop",
  index: 1,
  output: "",
  toolCalls: [{ id: "call_9", name: "search", arguments: { q: "again" } }],
  finishReason: "tool_calls",
  turns: 5,
  ttftMs: null,
  tokensPerSecond: null,
};

/** A row from before issue 15: none of the new fields. */
const plain: CaseResult = {
  id: "old",
  index: 2,
  repeat: 0,
  vars: {},
  tags: {},
  provider: "p",
  output: "x",
  error: null,
  scores: [],
  pass: true,
  latencyMs: 1,
  tokens: null,
  cost: null,
  cached: false,
};

describe("results.jsonl with tool calls, trajectories and streaming figures", () => {
  it("round-trips every field through the validating reader, exactly", async () => {
    const rows = [agentRow, cutOff, plain];
    for (const row of rows) expect(caseResultSchema.parse(row)).toEqual(row);
    const text = toJsonl(rows);
    expect(parseResults(text, "results.jsonl")).toEqual(rows);
    const dir = await mkdtemp(join(tmpdir(), "llmops-agent-results-"));
    dirs.push(dir);
    await writeFile(join(dir, "r.jsonl"), text);
    const streamed: CaseResult[] = [];
    for await (const row of readResultsFile(join(dir, "r.jsonl"))) streamed.push(row);
    expect(streamed).toEqual(rows);
  });

  it("writeRunOutputs and readRunOutputs keep them", async () => {
    const dir = await mkdtemp(join(tmpdir(), "llmops-agent-results-"));
    dirs.push(dir);
    const summary: RunSummary = {
      schemaVersion: 1,
      suite: "agent",
      suiteDigest: `sha256:${"0".repeat(64)}`,
      providers: ["p"],
      startedAt: "2026-01-01T00:00:00Z",
      finishedAt: "2026-01-01T00:00:01Z",
      complete: true,
      cases: 3,
      errors: 0,
      metrics: [],
      slices: [],
      gates: [],
      passed: true,
      results: "results.jsonl",
    };
    await writeRunOutputs(dir, summary, [agentRow, cutOff, plain]);
    expect((await readRunOutputs(dir)).rows).toEqual([agentRow, cutOff, plain]);
    // One JSON object per line, the trajectory inline.
    const lines = (await readFile(join(dir, "results.jsonl"), "utf8")).trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0]!).trajectory[0].source).toBe("fixture");
  });

  it("a malformed trajectory step names the file and line", () => {
    const bad = { ...agentRow, trajectory: [{ turn: 0, call: { id: "a", name: "f" }, source: "fixture" }] };
    const text = `${JSON.stringify(plain)}\n${JSON.stringify(bad)}\n`;
    expect(() => parseResults(text, "results.jsonl")).toThrow(InputError);
    expect(() => parseResults(text, "results.jsonl")).toThrow(/^results.jsonl:2: not a case result: trajectory\.0\.turn/);
    const unknownSource = { ...agentRow, trajectory: [{ ...agentRow.trajectory![0]!, source: "oracle" }] };
    expect(() => parseResults(JSON.stringify(unknownSource), "r")).toThrow(/r:1: not a case result: trajectory\.0\.source/);
  });
});
