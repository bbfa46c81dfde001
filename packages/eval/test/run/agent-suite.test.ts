import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CaseResult, InputError, loadConfig, silentLogger } from "@llmops/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readResultsFile } from "../../src/results/stream.ts";
import { prepareSuite } from "../../src/run/suite.ts";
import type { Clock } from "../../src/run/types.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "llmops-agent-suite-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const stillClock: Clock = { now: () => 0, sleep: async () => {} };

/**
 * A module "model": asked something, it calls the tool the case names (`weather` by default) for
 * its city; given the tool's answer, it states it and how long the conversation was.
 */
const MODEL = `
export default async ({ prompt, vars, messages }) => {
  const conversation = messages ?? [{ role: "user", content: prompt }];
  const last = conversation.at(-1);
  if (last.role !== "tool") {
    return {
      output: "",
      toolCalls: [{ id: "call_" + conversation.length, name: vars.tool ?? "weather", arguments: { city: vars.city } }],
      finishReason: "tool_calls",
      tokens: { prompt: 10, completion: 5 },
      cost: 0.25,
    };
  }
  const answer = JSON.parse(last.content);
  const text = answer.error ? "no data: " + answer.error : answer.temp + " degrees";
  return { output: text + " after " + conversation.length + " messages", finishReason: "stop", tokens: { prompt: 20, completion: 3 }, cost: 0.5 };
};
`;

const TOOLS = `
export async function forecast({ city }) {
  return { temp: city.length };
}
`;

async function setup(agent = "    agent:\n      maxTurns: 3\n      tools:\n        forecast: { module: tools.mjs, export: forecast }") {
  await writeFile(join(dir, "model.mjs"), MODEL);
  await writeFile(join(dir, "tools.mjs"), TOOLS);
  const history = [
    { role: "user", content: "Hi, I am planning a trip." },
    { role: "assistant", content: "Where to?" },
  ];
  await writeFile(
    join(dir, "cases.jsonl"),
    [
      JSON.stringify({ id: "oslo", vars: { city: "Oslo", tool: "forecast" }, messages: history }),
      JSON.stringify({ id: "rome", city: "Rome", tool: "almanac" }),
      "",
    ].join("\n"),
  );
  await writeFile(
    join(dir, "llmops.yaml"),
    [
      "suites:",
      "  - name: weather",
      "    provider: { type: module, path: model.mjs }",
      '    prompt: "What is the weather in {{city}}?"',
      agent,
      "    cases:",
      "      - id: paris",
      "        vars: { city: Paris }",
      "        toolResults:",
      "          - { name: weather, arguments: { city: Paris }, result: { temp: 21 } }",
      "    casesFrom: cases.jsonl",
      "    scorers: [{ type: contains, value: degrees }]",
      "",
    ].join("\n"),
  );
  const loaded = await loadConfig(undefined, { cwd: dir });
  return prepareSuite({ loaded, suite: loaded.config.suites[0]!, suiteIndex: 0, env: {}, logger: silentLogger });
}

async function rows(path: string): Promise<CaseResult[]> {
  const out: CaseResult[] = [];
  for await (const row of readResultsFile(path)) out.push(row);
  return out;
}

describe("an agent suite, end to end", () => {
  it("answers from fixtures and module tools, sends case messages first, and writes the trajectory to results.jsonl", async () => {
    const prepared = await setup();
    const [run] = await prepared.execute({ cacheDir: null, outDir: () => join(dir, "out"), clock: stillClock });
    expect(run!.providerCalls).toBe(6);
    const [paris, oslo, rome] = await rows(run!.written!.resultsPath);
    expect(paris).toMatchObject({
      output: "21 degrees after 3 messages",
      pass: true,
      turns: 2,
      finishReason: "stop",
      trajectory: [
        { turn: 1, call: { id: "call_1", name: "weather", arguments: { city: "Paris" } }, result: { temp: 21 }, source: "fixture" },
      ],
      tokens: { prompt: 30, completion: 8, total: 38 },
      cost: 0.75,
    });
    // Oslo's two earlier turns come before the prompt: 3 messages, then the call and its answer.
    expect(oslo).toMatchObject({
      output: "4 degrees after 5 messages",
      turns: 2,
      trajectory: [{ turn: 1, call: { id: "call_3", name: "forecast" }, result: { temp: 4 }, source: "module" }],
      prompt: "user: Hi, I am planning a trip.\n\nassistant: Where to?\n\nuser: What is the weather in Oslo?",
    });
    expect(rome).toMatchObject({
      output: "no data: no tool result for almanac with these arguments, and no module tool almanac after 3 messages",
      error: null,
      pass: false,
      trajectory: [{ turn: 1, source: "missing" }],
    });
    expect(run!.summary.errors).toBe(0);
  });

  it("a second run is served from the response cache, every turn of every case", async () => {
    const prepared = await setup();
    const cacheDir = join(dir, "cache");
    const [cold] = await prepared.execute({ cacheDir, outDir: () => join(dir, "cold"), clock: stillClock });
    const [warm] = await prepared.execute({ cacheDir, outDir: () => join(dir, "warm"), clock: stillClock });
    expect(cold!.providerCalls).toBe(6);
    expect(warm!.providerCalls).toBe(0);
    const coldRows = await rows(cold!.written!.resultsPath);
    expect(await rows(warm!.written!.resultsPath)).toEqual(coldRows.map((r) => ({ ...r, cached: true })));
  });

  it("a module tool whose module or export is missing stops the suite before any call (exit 2)", async () => {
    const missingModule = "    agent:\n      tools:\n        forecast: { module: nowhere.mjs }";
    await expect(setup(missingModule)).rejects.toThrow(new InputError('agent tool "forecast": module nowhere.mjs does not exist'));
    const missingExport = "    agent:\n      tools:\n        forecast: { module: tools.mjs, export: predict }";
    await expect(setup(missingExport)).rejects.toThrow(/agent tool "forecast": module tools.mjs has no exported function "predict"/);
  });

  it("without agent, a tool call is the result: no tools answered, no trajectory", async () => {
    const prepared = await setup("    repeats: 1");
    const [run] = await prepared.execute({ cacheDir: null, outDir: () => join(dir, "out"), clock: stillClock });
    expect(run!.providerCalls).toBe(3);
    const [paris] = await rows(run!.written!.resultsPath);
    expect(paris).toMatchObject({ output: "", finishReason: "tool_calls", toolCalls: [{ name: "weather", arguments: { city: "Paris" } }] });
    expect(paris).not.toHaveProperty("trajectory");
  });

  it("a case's messages and fixtures are part of the suite digest", async () => {
    const first = (await setup()).variants[0]!.digest;
    await writeFile(
      join(dir, "cases.jsonl"),
      `${JSON.stringify({ id: "oslo", vars: { city: "Oslo", tool: "forecast" } })}\n${JSON.stringify({ id: "rome", city: "Rome", tool: "almanac" })}\n`,
    );
    const loaded = await loadConfig(undefined, { cwd: dir });
    const second = (await prepareSuite({ loaded, suite: loaded.config.suites[0]!, suiteIndex: 0, env: {}, logger: silentLogger }))
      .variants[0]!.digest;
    expect(second).not.toBe(first);
  });
});
