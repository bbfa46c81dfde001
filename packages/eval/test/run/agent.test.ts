import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CaseResult, caseResultSchema, silentLogger, type ToolResultFixture, toolResultFixtureSchema } from "@llmops/core";
import { afterEach, describe, expect, it } from "vitest";
import { ResponseCache } from "../../src/response-cache.ts";
import { runAgentLoop, turnMetrics } from "../../src/run/agent.ts";
import { runTasks } from "../../src/run/runner.ts";
import { MAX_TOOL_JSON_BYTES, type ModuleTools, type ToolFunction } from "../../src/run/tool-answers.ts";
import type { RunTask } from "../../src/run/types.ts";
import type { Scorer } from "../../src/scorers/types.ts";
import { scriptedModel, toolCall, weatherModel } from "./agent-helpers.ts";
import { FakeProviderError, virtualClock } from "./helpers.ts";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const fixtures = (list: unknown[]): ToolResultFixture[] => list.map((f) => toolResultFixtureSchema.parse(f));
const tools = (entries: Record<string, ToolFunction> = {}): ModuleTools => new Map(Object.entries(entries));

function task(city: string, extra: Partial<RunTask> = {}): RunTask {
  return {
    index: 0,
    id: city.toLowerCase(),
    repeat: 0,
    prompt: `What is the weather in ${city}?`,
    vars: { city },
    tags: {},
    toolResults: fixtures([
      { name: "weather", arguments: { city: "Paris" }, result: { temp: 21 } },
      { name: "weather", arguments: { city: "Oslo" }, error: "station offline" },
    ]),
    ...extra,
  };
}

/** Every row a run writes must be a valid results.jsonl line, as written. */
function valid(rows: CaseResult[]): CaseResult[] {
  for (const row of rows) expect(caseResultSchema.parse(JSON.parse(JSON.stringify(row)))).toEqual(row);
  return rows;
}

describe("agent runs", () => {
  it("answers the model's tool call from the case's fixture and calls again with the whole conversation", async () => {
    const provider = weatherModel();
    const { results, providerCalls } = await runTasks({
      provider,
      tasks: [task("Paris")],
      scorers: [],
      agent: { maxTurns: 5, tools: tools() },
    });
    expect(providerCalls).toBe(2);
    // The first call is the prompt as it is without an agent; the second carries the turns since.
    expect(provider.calls[0]!.messages).toBeUndefined();
    expect(provider.calls[1]!.messages).toEqual([
      { role: "user", content: "What is the weather in Paris?" },
      { role: "assistant", content: "", toolCalls: [{ id: "call_1", name: "weather", arguments: { city: "Paris" } }] },
      { role: "tool", content: '{"temp":21}', toolCallId: "call_1" },
    ]);
    const [row] = valid(results);
    expect(row).toMatchObject({
      output: "21 degrees",
      error: null,
      pass: true,
      finishReason: "stop",
      turns: 2,
      trajectory: [
        { turn: 1, call: { id: "call_1", name: "weather", arguments: { city: "Paris" } }, result: { temp: 21 }, source: "fixture" },
      ],
      // Usage and cost are summed over the two model calls.
      tokens: { prompt: 20, completion: 8, total: 28 },
      cost: 1,
      cached: false,
    });
    // The final reply called no tool, and nothing streamed.
    expect(row).not.toHaveProperty("toolCalls");
    expect(row).not.toHaveProperty("ttftMs");
    expect(row).not.toHaveProperty("tokensPerSecond");
  });

  it("sends an error fixture to the model as a failed tool, and records it", async () => {
    const { results } = await runTasks({
      provider: weatherModel(),
      tasks: [task("Oslo")],
      scorers: [],
      agent: { maxTurns: 5, tools: tools() },
    });
    expect(valid(results)[0]).toMatchObject({
      output: "sorry: station offline",
      error: null,
      trajectory: [{ turn: 1, error: "station offline", source: "fixture" }],
    });
  });

  it("answers several calls of one reply in order: fixture, then module tool, then none (the model is told it failed)", async () => {
    const provider = scriptedModel((messages) => {
      if (messages.at(-1)!.role === "user") {
        return {
          toolCalls: [toolCall("weather", { city: "Paris" }, "a"), toolCall("add", { a: 1, b: 2 }, "b"), toolCall("calendar", {}, "c")],
          finishReason: "tool_calls",
        };
      }
      return {
        output: messages
          .filter((m) => m.role === "tool")
          .map((m) => m.content)
          .join(" | "),
        finishReason: "stop",
      };
    });
    const { results } = await runTasks({
      provider,
      tasks: [task("Paris")],
      scorers: [],
      agent: {
        maxTurns: 5,
        tools: tools({
          add: (args) => {
            const { a, b } = args as { a: number; b: number };
            return a + b;
          },
        }),
      },
    });
    const [row] = valid(results);
    const missing = "no tool result for calendar with these arguments, and no module tool calendar";
    expect(row!.trajectory).toEqual([
      { turn: 1, call: toolCall("weather", { city: "Paris" }, "a"), result: { temp: 21 }, source: "fixture" },
      { turn: 1, call: toolCall("add", { a: 1, b: 2 }, "b"), result: 3, source: "module" },
      { turn: 1, call: toolCall("calendar", {}, "c"), error: missing, source: "missing" },
    ]);
    expect(row!.output).toBe(`{"temp":21} | 3 | ${JSON.stringify({ error: missing })}`);
    expect(provider.calls[1]!.messages!.slice(2).map((m) => m.toolCallId)).toEqual(["a", "b", "c"]);
    expect(row!.error).toBeNull();
  });

  it("stops at maxTurns: the last reply is the result (its calls unanswered), not an error", async () => {
    let n = 0;
    const provider = scriptedModel(() => ({
      output: `thinking ${++n}`,
      toolCalls: [toolCall("search", { n }, `s${n}`)],
      finishReason: "tool_calls",
    }));
    const { results, providerCalls } = await runTasks({
      provider,
      tasks: [task("Paris", { toolResults: fixtures([{ name: "search", result: "nothing" }]) })],
      scorers: [],
      agent: { maxTurns: 3, tools: tools() },
    });
    expect(providerCalls).toBe(3);
    const [row] = valid(results);
    expect(row).toMatchObject({
      output: "thinking 3",
      error: null,
      turns: 3,
      finishReason: "tool_calls",
      toolCalls: [toolCall("search", { n: 3 }, "s3")],
    });
    expect(row!.trajectory!.map((s) => [s.turn, s.call.id])).toEqual([
      [1, "s1"],
      [2, "s2"],
    ]);
    // Each later call carries every earlier turn: 1 + 2 per answered turn.
    expect(provider.calls.map((c) => c.messages?.length ?? 1)).toEqual([1, 3, 5]);
  });

  it("maxTurns 1 makes one call and answers nothing", async () => {
    const provider = weatherModel();
    const { results } = await runTasks({ provider, tasks: [task("Paris")], scorers: [], agent: { maxTurns: 1, tools: tools() } });
    expect(valid(results)[0]).toMatchObject({ turns: 1, trajectory: [], toolCalls: [toolCall("weather", { city: "Paris" }, "call_1")] });
    expect(provider.calls).toHaveLength(1);
  });

  it("a model call failing after a tool turn is the case's error; the trajectory so far is kept", async () => {
    const provider = scriptedModel((messages) => {
      if (messages.at(-1)!.role === "tool") throw new FakeProviderError("bad request", { retryable: false, status: 400 });
      return { toolCalls: [toolCall("weather", { city: "Paris" }, "call_1")] };
    });
    const { results } = await runTasks({ provider, tasks: [task("Paris")], scorers: [], agent: { maxTurns: 5, tools: tools() } });
    expect(valid(results)[0]).toMatchObject({
      output: null,
      error: "turn 2: HTTP 400: bad request",
      pass: false,
      turns: 2,
      trajectory: [{ turn: 1, source: "fixture", result: { temp: 21 } }],
      tokens: { prompt: 10, completion: 4, total: 14 },
    });
  });

  it("a module tool that throws or hangs answers an error (timeout = the suite's timeoutMs); the run goes on", async () => {
    const provider = scriptedModel((messages) =>
      messages.at(-1)!.role === "user"
        ? { toolCalls: [toolCall("db", {}, "x"), toolCall("slow", {}, "y")] }
        : { output: "done", finishReason: "stop" },
    );
    const { results } = await runTasks({
      provider,
      tasks: [task("Paris")],
      scorers: [],
      timeoutMs: 60,
      agent: {
        maxTurns: 5,
        tools: tools({
          db: () => {
            throw new TypeError("cannot read properties of undefined\n  at x.ts:1");
          },
          slow: () => new Promise(() => {}),
        }),
      },
    });
    expect(valid(results)[0]!.trajectory).toEqual([
      { turn: 1, call: toolCall("db", {}, "x"), error: "tool db failed: cannot read properties of undefined at x.ts:1", source: "module" },
      { turn: 1, call: toolCall("slow", {}, "y"), error: "tool slow failed: timed out after 60 ms", source: "module" },
    ]);
    expect(results[0]!.output).toBe("done");
  });

  it("a hostile model: 200 tool calls in one reply end the case with an error, none answered, 128 recorded", async () => {
    let toolRuns = 0;
    const provider = scriptedModel(() => ({
      toolCalls: Array.from({ length: 200 }, (_, i) => toolCall("f", { i }, `c${i}`)),
      finishReason: "tool_calls",
    }));
    const { results, providerCalls } = await runTasks({
      provider,
      tasks: [task("Paris")],
      scorers: [],
      agent: { maxTurns: 5, tools: tools({ f: () => ++toolRuns }) },
    });
    const [row] = valid(results);
    expect(providerCalls).toBe(1);
    expect(toolRuns).toBe(0);
    expect(row).toMatchObject({
      error: "turn 1: the model made 200 tool calls in one reply; at most 128 are answered",
      output: null,
      turns: 1,
      trajectory: [],
    });
    expect(row!.toolCalls).toHaveLength(128);
  });

  it("a hostile model: arguments over 1 MiB are refused without calling the tool and not recorded", async () => {
    let toolRuns = 0;
    const huge = { blob: "x".repeat(2 * MAX_TOOL_JSON_BYTES) };
    const provider = scriptedModel((messages) =>
      messages.at(-1)!.role === "user" ? { toolCalls: [toolCall("f", huge, "h"), toolCall("f", { small: true }, "s")] } : { output: "ok" },
    );
    const { results } = await runTasks({
      provider,
      tasks: [task("Paris")],
      scorers: [],
      agent: { maxTurns: 5, tools: tools({ f: () => ++toolRuns }) },
    });
    const [row] = valid(results);
    expect(toolRuns).toBe(1);
    expect(row!.trajectory).toEqual([
      {
        turn: 1,
        call: { id: "h", name: "f", arguments: "<2097163 bytes of arguments, over the 1048576-byte limit>" },
        error: "the call's arguments are 2097163 bytes of JSON, over the 1048576-byte limit; not answered",
        source: "missing",
      },
      { turn: 1, call: toolCall("f", { small: true }, "s"), result: 1, source: "module" },
    ]);
    expect(JSON.stringify(row).length).toBeLessThan(10_000);
    // The model is sent its own call back (the API needs it) and the refusal as the tool's answer.
    expect(provider.calls[1]!.messages![2]).toMatchObject({
      role: "tool",
      toolCallId: "h",
      content: expect.stringContaining("over the 1048576-byte limit"),
    });
  });

  it("latency is the whole loop: every model call and every tool answer", async () => {
    const clock = virtualClock();
    const provider = scriptedModel((messages) => {
      clock.time += messages.at(-1)!.role === "user" ? 300 : 200;
      return messages.at(-1)!.role === "user" ? { toolCalls: [toolCall("lookup", {}, "l")] } : { output: "ok" };
    });
    const lookup = async () => {
      clock.time += 50;
      return 1;
    };
    const { results } = await runTasks({
      provider,
      tasks: [task("Paris")],
      scorers: [],
      clock,
      agent: { maxTurns: 5, tools: tools({ lookup }) },
    });
    expect(results[0]!.latencyMs).toBe(550);
  });

  it("streaming figures: time to first token of the first call, tokens per second over all calls' generation time", async () => {
    const provider = scriptedModel(
      (messages) =>
        messages.at(-1)!.role === "user"
          ? { toolCalls: [toolCall("weather", { city: "Paris" }, "call_1")], ttftMs: 120, generationMs: 100 }
          : { output: "21 degrees", ttftMs: 80, generationMs: 300 },
      { tokens: { prompt: 10, completion: 20, total: 30 } },
    );
    const { results } = await runTasks({ provider, tasks: [task("Paris")], scorers: [], agent: { maxTurns: 5, tools: tools() } });
    // 40 completion tokens over 0.4 s of generation.
    expect(valid(results)[0]).toMatchObject({ ttftMs: 120, tokensPerSecond: 100, tokens: { completion: 40 } });
  });

  it("is usable by scorers: they see the trajectory, tool calls, turns and finish reason", async () => {
    const seen: unknown[] = [];
    const spy: Scorer = {
      name: "spy",
      type: "custom",
      weight: 1,
      higherIsBetter: true,
      async scoreCase(input) {
        const { trajectory, turns, finishReason } = input as typeof input & Pick<CaseResult, "trajectory" | "turns" | "finishReason">;
        seen.push({ calls: trajectory?.map((s) => s.call.name), turns, finishReason });
        return { score: 1, pass: true };
      },
    };
    await runTasks({ provider: weatherModel(), tasks: [task("Paris")], scorers: [spy], agent: { maxTurns: 5, tools: tools() } });
    expect(seen).toEqual([{ calls: ["weather"], turns: 2, finishReason: "stop" }]);
  });

  it("runs cases concurrently, each with its own conversation", async () => {
    const cities = ["Paris", "Oslo", "Paris", "Oslo", "Paris", "Oslo", "Paris", "Oslo"];
    const list = cities.map((city, index) => ({ ...task(city), index, id: `c${index}` }));
    const { results } = await runTasks({
      provider: weatherModel(),
      tasks: list,
      scorers: [],
      concurrency: 4,
      agent: { maxTurns: 5, tools: tools() },
    });
    expect(results.map((r) => r.output)).toEqual(cities.map((c) => (c === "Paris" ? "21 degrees" : "sorry: station offline")));
  });

  it("a second run is served from the response cache, turn by turn, with zero provider calls", async () => {
    const dir = await mkdtemp(join(tmpdir(), "llmops-agent-cache-"));
    dirs.push(dir);
    const cache = new ResponseCache(dir, silentLogger);
    const list = [task("Paris"), { ...task("Oslo"), index: 1 }];
    // Latencies are all 0 on this clock (tool answers are timed anew on a cached run).
    const clock = { now: () => 0, sleep: async () => {} };
    const cold = await runTasks({
      provider: weatherModel(),
      tasks: list,
      scorers: [],
      cache,
      clock,
      agent: { maxTurns: 5, tools: tools() },
    });
    expect(cold.providerCalls).toBe(4);
    const warm = await runTasks({
      provider: weatherModel(),
      tasks: list,
      scorers: [],
      cache,
      clock,
      agent: { maxTurns: 5, tools: tools() },
    });
    expect(warm.providerCalls).toBe(0);
    expect(warm.results).toEqual(cold.results.map((r) => ({ ...r, cached: true })));
    // Another fixture changes the second call's conversation, so only the first call is cached.
    const changed = list.map((t) => ({ ...t, toolResults: fixtures([{ name: "weather", result: { temp: 5 } }]) }));
    const third = await runTasks({ provider: weatherModel(), tasks: changed, scorers: [], cache, agent: { maxTurns: 5, tools: tools() } });
    expect(third.providerCalls).toBe(2);
    expect(third.results.map((r) => [r.output, r.cached])).toEqual([
      ["5 degrees", false],
      ["5 degrees", false],
    ]);
  });
});

describe("runs without an agent", () => {
  it("record the reply's tool calls and finish reason, with no trajectory or turns", async () => {
    const { results } = await runTasks({ provider: weatherModel(), tasks: [task("Paris")], scorers: [] });
    const [row] = valid(results);
    expect(row).toMatchObject({ output: "", toolCalls: [toolCall("weather", { city: "Paris" }, "call_1")], finishReason: "tool_calls" });
    expect(row).not.toHaveProperty("trajectory");
    expect(row).not.toHaveProperty("turns");
  });

  it("replay tool calls, finish reason and streaming figures from the response cache", async () => {
    const dir = await mkdtemp(join(tmpdir(), "llmops-stream-cache-"));
    dirs.push(dir);
    const cache = new ResponseCache(dir, silentLogger);
    const provider = () =>
      scriptedModel(() => ({
        output: "",
        toolCalls: [toolCall("f", { a: [1] }, "x")],
        finishReason: "tool_calls",
        ttftMs: 42,
        generationMs: 200,
      }));
    const cold = await runTasks({ provider: provider(), tasks: [task("Paris")], scorers: [], cache });
    const warm = await runTasks({ provider: provider(), tasks: [task("Paris")], scorers: [], cache });
    expect(warm.providerCalls).toBe(0);
    expect(valid(warm.results)[0]).toEqual({ ...cold.results[0], cached: true });
    expect(warm.results[0]).toMatchObject({
      toolCalls: [toolCall("f", { a: [1] }, "x")],
      finishReason: "tool_calls",
      ttftMs: 42,
      tokensPerSecond: 20,
    });
  });

  it("keep the row exactly as before when the provider reports none of the new fields", async () => {
    const provider = scriptedModel(() => ({ output: "hi" }));
    const { results } = await runTasks({ provider, tasks: [task("Paris")], scorers: [] });
    expect(Object.keys(results[0]!)).toEqual([
      "id",
      "index",
      "repeat",
      "vars",
      "tags",
      "provider",
      "prompt",
      "output",
      "error",
      "scores",
      "pass",
      "latencyMs",
      "tokens",
      "cost",
      "cached",
    ]);
  });
});

describe("turnMetrics", () => {
  const turn = (response: Record<string, unknown>) => ({
    response: { output: "", tokens: null, cost: null, ...response },
    latencyMs: 1,
    cached: false,
  });
  it("sums usage and cost only when every call reported them", () => {
    const tokens = { prompt: 1, completion: 2, total: 3 };
    expect(turnMetrics([turn({ tokens, cost: 1 }), turn({ tokens, cost: 2 })])).toEqual({
      tokens: { prompt: 2, completion: 4, total: 6 },
      cost: 3,
      cached: false,
    });
    expect(turnMetrics([turn({ tokens, cost: 1 }), turn({})])).toEqual({ tokens: null, cost: null, cached: false });
    expect(turnMetrics([])).toEqual({ tokens: null, cost: null, cached: false });
  });

  it("tokens per second is null without tokens, without generation time, or with zero of either", () => {
    const tokens = { prompt: 1, completion: 50, total: 51 };
    expect(turnMetrics([turn({ tokens, ttftMs: 10, generationMs: 500 })])).toMatchObject({ ttftMs: 10, tokensPerSecond: 100 });
    expect(turnMetrics([turn({ ttftMs: 10, generationMs: 500 })])).toMatchObject({ tokensPerSecond: null });
    expect(turnMetrics([turn({ tokens, ttftMs: 10, generationMs: 0 })])).toMatchObject({ tokensPerSecond: null });
    expect(turnMetrics([turn({ tokens, ttftMs: null, generationMs: null })])).toMatchObject({ ttftMs: null, tokensPerSecond: null });
    expect(turnMetrics([turn({ tokens, generationMs: 100 }), turn({ tokens })])).toMatchObject({ tokensPerSecond: null });
  });
});

describe("runAgentLoop", () => {
  it("stops between tool answers when the signal is aborted, and reports it", async () => {
    const controller = new AbortController();
    const loop = await runAgentLoop({
      messages: [{ role: "user", content: "go" }],
      maxTurns: 5,
      call: async () => ({
        response: { output: "", tokens: null, cost: null, toolCalls: [toolCall("a", {}, "1"), toolCall("b", {}, "2")] },
        latencyMs: 0,
        cached: false,
      }),
      answer: async () => {
        controller.abort();
        return { source: "missing", error: "x", content: "{}" };
      },
      now: () => 0,
      signal: controller.signal,
    });
    expect(loop.stopped).toBe(true);
    expect(loop.trajectory).toHaveLength(1);
  });
});
