import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError, providerConfigSchema, silentLogger } from "@llmops/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createProvider, ProviderError } from "../../src/providers/index.ts";
import { cachedProviderResponse, ResponseCache } from "../../src/response-cache.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "llmops-structured-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});
function provider(config: Record<string, unknown>) {
  return createProvider(providerConfigSchema.parse(config), { env: {}, cwd: dir, logger: silentLogger });
}
const call = (extra: Record<string, unknown> = {}) => ({ prompt: "p", vars: {}, signal: new AbortController().signal, ...extra });

describe("tool calls and finish reasons from module, command and replay providers", () => {
  it("a module may return toolCalls (arguments as values or JSON text) and a finish reason", async () => {
    await writeFile(
      join(dir, "m.mjs"),
      `export default () => ({ output: "", finishReason: "tool_calls", toolCalls: [
        { id: "a", name: "search", arguments: { q: "x" } },
        { name: "lookup", arguments: '{"id": 3}' },
        { name: "raw", arguments: "not json" },
      ] });
      export const bad = () => ({ output: "", toolCalls: [{ arguments: {} }] });
      export const many = () => ({ output: "", toolCalls: Array.from({ length: 10000 }, () => ({ name: "f", arguments: {} })) });`,
    );
    expect(await provider({ type: "module", path: "m.mjs" }).call(call())).toEqual({
      output: "",
      tokens: null,
      cost: null,
      finishReason: "tool_calls",
      toolCalls: [
        { id: "a", name: "search", arguments: { q: "x" } },
        { id: "call_1", name: "lookup", arguments: { id: 3 } },
        { id: "call_2", name: "raw", arguments: "not json" },
      ],
    });
    await expect(provider({ type: "module", path: "m.mjs", export: "bad" }).call(call())).rejects.toThrow(
      /expected toolCalls\[0\] from module m\.mjs to be \{id\?, name, arguments\}/,
    );
    await expect(provider({ type: "module", path: "m.mjs", export: "many" }).call(call())).rejects.toThrow(ProviderError);
  });

  it("a command may print toolCalls and finishReason in its JSON", async () => {
    const script = join(dir, "c.js");
    await writeFile(
      script,
      `process.stdout.write(JSON.stringify({ output: "done", finishReason: "stop", toolCalls: [{ id: "t", name: "f", arguments: { a: 1 } }] }));`,
    );
    expect(await provider({ type: "command", argv: [process.execPath, script] }).call(call())).toMatchObject({
      output: "done",
      finishReason: "stop",
      toolCalls: [{ id: "t", name: "f", arguments: { a: 1 } }],
    });
  });

  it("replay carries recorded tool calls, finish reason and stream timings (generation time from tokens per second)", async () => {
    await writeFile(
      join(dir, "r.jsonl"),
      [
        JSON.stringify({ id: "c1", output: "", toolCalls: [{ id: "t1", name: "f", arguments: { x: 1 } }], finishReason: "tool_calls" }),
        JSON.stringify({ id: "c2", output: "hi", tokens: { prompt: 1, completion: 10, total: 11 }, ttftMs: 50, tokensPerSecond: 100 }),
        JSON.stringify({ id: "c3", output: "hi", ttftMs: 5, generationMs: 7 }),
      ].join("\n"),
    );
    const p = provider({ type: "replay", file: "r.jsonl" });
    expect(await p.call(call({ caseId: "c1" }))).toEqual({
      output: "",
      tokens: null,
      cost: null,
      toolCalls: [{ id: "t1", name: "f", arguments: { x: 1 } }],
      finishReason: "tool_calls",
    });
    expect(await p.call(call({ caseId: "c2" }))).toMatchObject({ ttftMs: 50, generationMs: 100 });
    expect(await p.call(call({ caseId: "c3" }))).toMatchObject({ ttftMs: 5, generationMs: 7 });
  });
});

describe("response cache", () => {
  it("stores and returns tool calls, finish reason and stream timings; old entries without them still read", async () => {
    const cache = new ResponseCache(join(dir, "cache"), silentLogger);
    const key = "ab".padEnd(64, "0");
    await cache.set(key, {
      output: "",
      tokens: { prompt: 1, completion: 2, total: 3 },
      cost: null,
      latencyMs: 12,
      toolCalls: [{ id: "t", name: "f", arguments: { a: [1, 2] } }],
      finishReason: "tool_calls",
      ttftMs: 4,
      generationMs: 6,
    });
    const hit = await cache.get(key);
    expect(hit).toMatchObject({ latencyMs: 12 });
    expect(cachedProviderResponse(hit!)).toEqual({
      output: "",
      tokens: { prompt: 1, completion: 2, total: 3 },
      cost: null,
      toolCalls: [{ id: "t", name: "f", arguments: { a: [1, 2] } }],
      finishReason: "tool_calls",
      ttftMs: 4,
      generationMs: 6,
    });
    const old = "cd".padEnd(64, "0");
    await cache.set(old, { output: "x", tokens: null, cost: null, latencyMs: 1 });
    expect(cachedProviderResponse((await cache.get(old))!)).toEqual({ output: "x", tokens: null, cost: null });
  });
});

describe("replay of agent runs", () => {
  it("answers each model call of a case by its turn; a later turn without a recording is an error", async () => {
    await writeFile(
      join(dir, "agent.jsonl"),
      [
        JSON.stringify({ id: "a", turn: 1, output: "", toolCalls: [{ id: "t1", name: "f", arguments: {} }], finishReason: "tool_calls" }),
        JSON.stringify({ id: "a", turn: 2, output: "done", finishReason: "stop" }),
        JSON.stringify({ id: "b", output: "plain" }),
      ].join("\n"),
    );
    const p = provider({ type: "replay", file: "agent.jsonl" });
    expect((await p.call(call({ caseId: "a", turn: 1 }))).toolCalls).toHaveLength(1);
    expect((await p.call(call({ caseId: "a" }))).finishReason).toBe("tool_calls");
    expect(await p.call(call({ caseId: "a", turn: 2 }))).toMatchObject({ output: "done", finishReason: "stop" });
    expect((await p.call(call({ caseId: "b", turn: 1 }))).output).toBe("plain");
    await expect(p.call(call({ caseId: "a", turn: 3 }))).rejects.toThrow(/no recorded response in agent\.jsonl for turn 3 of case "a"/);
  });

  it("a recording's turn must be a positive integer, and each case's turn recorded once (InputError at file:line)", async () => {
    const line = (turn: unknown, id = "a") => JSON.stringify({ id, turn, output: "x" });
    for (const turn of [0, -1, 1.5, "2"]) {
      await writeFile(join(dir, "bad.jsonl"), [line(1), line(turn)].join("\n"));
      expect(() => provider({ type: "replay", file: "bad.jsonl" })).toThrow(
        new InputError(`bad.jsonl:2: expected "turn" to be a positive integer (1 for the first model call), got ${JSON.stringify(turn)}`),
      );
    }
    await writeFile(join(dir, "dup.jsonl"), [line(1), line(2), line(1, "b"), line(2)].join("\n"));
    expect(() => provider({ type: "replay", file: "dup.jsonl" })).toThrow(
      new InputError('dup.jsonl:4: a second recording of turn 2 of case "a"; the first is on line 2'),
    );
    // The same turn of another repeat is not a duplicate.
    await writeFile(
      join(dir, "repeats.jsonl"),
      [JSON.stringify({ id: "a", repeat: 0, turn: 2, output: "r0" }), JSON.stringify({ id: "a", repeat: 1, turn: 2, output: "r1" })].join(
        "\n",
      ),
    );
    const p = provider({ type: "replay", file: "repeats.jsonl" });
    expect((await p.call(call({ caseId: "a", repeat: 1, turn: 2 }))).output).toBe("r1");
  });
});
