import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError, scorerConfigSchema, silentLogger, type ToolCall } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { createScorer, jsonEqual, jsonSubset, type ScorerContext, type ScorerInput, toolCallF1 } from "../../src/scorers/index.ts";
import { expectedCall } from "../../src/scorers/tool-call.ts";

// Expected values below are worked out by hand from the definitions in scorers/README.md.

const dir = mkdtempSync(join(tmpdir(), "llmops-tool-call-"));
const make = (config: Record<string, unknown>) => createScorer(scorerConfigSchema.parse(config), { cwd: dir });
const context: ScorerContext = { signal: new AbortController().signal, logger: silentLogger, cwd: dir };
let ids = 0;
const call = (name: string, args: unknown = {}): ToolCall => ({ id: `call_${ids++}`, name, arguments: args });
const input = (toolCalls: ToolCall[] | undefined, expected?: unknown, extra: Partial<ScorerInput> = {}): ScorerInput => ({
  output: "",
  expected,
  vars: {},
  latencyMs: 10,
  tokens: null,
  cost: null,
  ...(toolCalls ? { toolCalls } : {}),
  ...extra,
});
const score = (config: Record<string, unknown>, toolCalls: ToolCall[] | undefined, expected?: unknown) =>
  make(config).scoreCase(input(toolCalls, expected), context);

describe("canonical JSON equality and subset", () => {
  it("equality ignores key order, not array order; numbers by value; strings are not numbers", () => {
    expect(jsonEqual({ a: 1, b: [1, { c: "x", d: null }] }, { b: [1, { d: null, c: "x" }], a: 1.0 })).toBe(true);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(jsonEqual({ a: "1" }, { a: 1 })).toBe(false);
    expect(jsonEqual(null, {})).toBe(false);
    expect(jsonEqual([], {})).toBe(false);
    expect(jsonEqual("raw text", "raw text")).toBe(true);
  });
  it("subset: expected keys present with matching values, recursively; arrays element by element, same length (Jest toMatchObject)", () => {
    expect(jsonSubset({ city: "Paris" }, { city: "Paris", unit: "C" })).toBe(true);
    expect(jsonSubset({ loc: { city: "Paris" } }, { loc: { city: "Paris", country: "FR" }, unit: "C" })).toBe(true);
    expect(jsonSubset({ city: "Paris", unit: "F" }, { city: "Paris", unit: "C" })).toBe(false);
    expect(jsonSubset({ ids: [{ a: 1 }] }, { ids: [{ a: 1, b: 2 }] })).toBe(true);
    expect(jsonSubset({ ids: [1] }, { ids: [1, 2] })).toBe(false);
    expect(jsonSubset({}, { anything: true })).toBe(true);
    expect(jsonSubset({ a: null }, {})).toBe(false);
    expect(jsonSubset({ a: 1 }, "a string")).toBe(false);
  });
  it("hostile nesting is never equal, and does not exhaust the stack", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(jsonEqual(deep, deep)).toBe(true); // the same object: identical
    const copy = structuredCloneDeep(100_000);
    expect(jsonEqual(copy, structuredCloneDeep(100_000))).toBe(false);
    expect(jsonSubset(copy, structuredCloneDeep(100_000))).toBe(false);
  });
  it("an expected call is a name or {name, arguments?}; other shapes are errors", () => {
    expect(expectedCall("search", "x")).toEqual({ name: "search", hasArguments: false });
    expect(expectedCall({ name: "search", arguments: { q: 1 }, id: "ignored" }, "x")).toEqual({
      name: "search",
      arguments: { q: 1 },
      hasArguments: true,
    });
    expect(() => expectedCall({ tool: "search" }, "where")).toThrow("where: expected a tool name or {name, arguments?}");
  });
});

function structuredCloneDeep(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe("tool-call", () => {
  const weather = call("get_weather", { city: "Paris", unit: "C" });
  it("passes on the expected name when no arguments are expected; any call of the reply may match", async () => {
    expect(await score({ type: "tool-call", tool: "get_weather" }, [call("search"), weather])).toEqual({ score: 1, pass: true });
    expect(await score({ type: "tool-call", tool: "get_time" }, [weather])).toEqual({
      score: 0,
      pass: false,
      reason: 'expected a call of "get_time", got "get_weather"',
    });
    expect(await score({ type: "tool-call", tool: "get_weather" }, undefined)).toEqual({
      score: 0,
      pass: false,
      reason: 'no tool call; expected "get_weather"',
    });
  });
  it("equal compares canonical JSON; subset needs the expected arguments inside the actual ones", async () => {
    const equal = { type: "tool-call", tool: "get_weather", arguments: { unit: "C", city: "Paris" } };
    expect((await score(equal, [weather])).pass).toBe(true);
    const partial = { type: "tool-call", tool: "get_weather", arguments: { city: "Paris" } };
    const failed = await score(partial, [weather]);
    expect(failed).toEqual({
      score: 0,
      pass: false,
      reason: '"get_weather" was called with "{\\"city\\":\\"Paris\\",\\"unit\\":\\"C\\"}", expected "{\\"city\\":\\"Paris\\"}"',
    });
    expect((await score({ ...partial, argumentsMode: "subset" }, [weather])).pass).toBe(true);
    expect((await score({ ...partial, arguments: { city: "Rome" }, argumentsMode: "subset" }, [weather])).pass).toBe(false);
  });
  it("takes the expected call from the case: expected.tool(+arguments), expected.toolCall, one expected.toolCalls, {name, arguments}, a name", async () => {
    const calls = [weather];
    expect((await score({ type: "tool-call" }, calls, { tool: "get_weather", arguments: { city: "Paris", unit: "C" } })).pass).toBe(true);
    expect((await score({ type: "tool-call" }, calls, { tool: "get_weather", arguments: { city: "Rome", unit: "C" } })).pass).toBe(false);
    expect(
      (await score({ type: "tool-call" }, calls, { toolCall: { name: "get_weather", arguments: { unit: "C", city: "Paris" } } })).pass,
    ).toBe(true);
    expect(
      (
        await score({ type: "tool-call" }, calls, {
          toolCalls: [{ id: "x", name: "get_weather", arguments: { city: "Paris", unit: "C" } }],
        })
      ).pass,
    ).toBe(true);
    expect((await score({ type: "tool-call" }, calls, { name: "get_weather" })).pass).toBe(true);
    expect((await score({ type: "tool-call" }, calls, "get_weather")).pass).toBe(true);
    // The config's arguments override the case's; its tool keeps the case's arguments only for the same tool.
    expect(
      (
        await score({ type: "tool-call", arguments: { city: "Paris", unit: "C" } }, calls, {
          tool: "get_weather",
          arguments: { city: "Rome" },
        })
      ).pass,
    ).toBe(true);
    expect((await score({ type: "tool-call", tool: "get_weather" }, calls, { tool: "search", arguments: { q: "x" } })).pass).toBe(true);
  });
  it("a missing or ambiguous expectation is an error (the runner records it on the case)", async () => {
    await expect(score({ type: "tool-call" }, [weather])).rejects.toThrow(/needs the expected tool/);
    await expect(score({ type: "tool-call" }, [weather], { toolCalls: [{ name: "a" }, { name: "b" }] })).rejects.toThrow(
      /compares one expected call, and expected.toolCalls has 2 \(use tool-call-f1 or trajectory\)/,
    );
  });
  it("index checks only the call at that position; negative counts from the end", async () => {
    const calls = [call("search", { q: "weather" }), weather];
    expect((await score({ type: "tool-call", tool: "search", index: 0 }, calls)).pass).toBe(true);
    expect((await score({ type: "tool-call", tool: "search", index: 1 }, calls)).pass).toBe(false);
    expect((await score({ type: "tool-call", tool: "get_weather", index: -1 }, calls)).pass).toBe(true);
    expect(await score({ type: "tool-call", tool: "get_weather", index: 5 }, calls)).toEqual({
      score: 0,
      pass: false,
      reason: "no tool call at index 5 (the reply made 2)",
    });
  });
  it("schema mode validates the arguments with the json-schema scorer's validator (inline or a file)", async () => {
    const schema = {
      type: "object",
      properties: { city: { type: "string", minLength: 1 }, unit: { enum: ["C", "F"] } },
      required: ["city"],
      additionalProperties: false,
    };
    const config = { type: "tool-call", tool: "get_weather", argumentsMode: "schema", schema };
    expect((await score(config, [weather])).pass).toBe(true);
    const bad = await score(config, [call("get_weather", { city: "", unit: "K" })]);
    expect(bad.pass).toBe(false);
    expect(bad.reason).toBe(
      'arguments of "get_weather" do not match the schema: /city must NOT have fewer than 1 characters; /unit must be equal to one of the allowed values',
    );
    // One matching call is enough.
    expect((await score(config, [call("get_weather", { town: "x" }), weather])).pass).toBe(true);
    // Arguments that were not JSON arrive as their raw string, which an object schema refuses.
    expect((await score(config, [call("get_weather", "{city: Paris")])).pass).toBe(false);
    writeFileSync(join(dir, "weather.schema.yaml"), "type: object\nrequired: [city]\n");
    expect(
      (await score({ type: "tool-call", tool: "get_weather", argumentsMode: "schema", schemaFile: "weather.schema.yaml" }, [weather])).pass,
    ).toBe(true);
    expect(() => make({ type: "tool-call", tool: "x", argumentsMode: "schema", schemaFile: "missing.json" })).toThrow(InputError);
  });
  it("hostile replies: names are quoted and bounded in reasons; too many calls fail without being compared", async () => {
    const name = `evil\`|<img src=x>${"x".repeat(500)}`;
    const result = await score({ type: "tool-call", tool: "get_weather" }, [call(name)]);
    expect(result.reason!.length).toBeLessThan(120);
    expect(result.reason).toContain('"evil`|<img src=x>xxx');
    const many = Array.from({ length: 300 }, () => call("get_weather"));
    expect(await score({ type: "tool-call", tool: "get_weather" }, many)).toEqual({
      score: 0,
      pass: false,
      reason: "the reply has 300 tool calls; at most 256 are compared",
    });
  });
  it("not: true flips a tool-call check", async () => {
    expect(await score({ type: "tool-call", tool: "delete_account", not: true }, [weather])).toMatchObject({ score: 1, pass: true });
  });
});

describe("json-schema on tool call arguments", () => {
  const schema = { type: "object", required: ["city"] };
  it("target toolCall validates every call (of `tool`), and needs at least one", async () => {
    const config = { type: "json-schema", schema, target: "toolCall", tool: "get_weather" };
    expect((await score(config, [call("search", {}), call("get_weather", { city: "Paris" })])).pass).toBe(true);
    expect(await score(config, [call("get_weather", { city: "Paris" }), call("get_weather", {})])).toEqual({
      score: 0,
      pass: false,
      reason: `arguments of "get_weather" do not match the schema: (root) must have required property 'city'`,
    });
    expect((await score(config, [call("search", {})])).reason).toBe('no call of "get_weather"');
    expect((await score({ type: "json-schema", schema, target: "toolCall" }, [call("a", { city: 1 }), call("b", {})])).pass).toBe(false);
    expect((await score({ type: "json-schema", schema, target: "toolCall" }, [])).reason).toBe("no tool call");
  });
  it("the default target is still the output", async () => {
    expect((await make({ type: "json-schema", schema }).scoreCase(input([], undefined, { output: '{"city": "x"}' }), context)).pass).toBe(
      true,
    );
  });
});

describe("tool-call-f1", () => {
  const f1 = (p: number, r: number) => (p + r === 0 ? 0 : (2 * p * r) / (p + r));
  it("precision, recall and F1 over the calls, by hand", () => {
    const expected = [expectedCall("search", ""), expectedCall({ name: "get_weather", arguments: { city: "Paris" } }, "")];
    expect(toolCallF1(expected, [call("search"), call("get_weather", { city: "Paris" })], "equal").f1).toBe(1);
    expect(toolCallF1(expected, [call("search"), call("get_weather", { city: "Rome" })], "equal")).toMatchObject({
      precision: 0.5,
      recall: 0.5,
      f1: 0.5,
    });
    expect(toolCallF1(expected, [call("search")], "equal")).toMatchObject({ precision: 1, recall: 0.5, f1: f1(1, 0.5) });
    const three = [call("search"), call("search"), call("get_weather", { city: "Paris" })];
    expect(toolCallF1(expected, three, "equal")).toMatchObject({ precision: 2 / 3, recall: 1, f1: f1(2 / 3, 1) });
    expect(toolCallF1(expected, [], "equal")).toMatchObject({ precision: 0, recall: 0, f1: 0 });
    expect(toolCallF1([], [call("search")], "equal")).toMatchObject({ precision: 0, recall: 0, f1: 0 });
    expect(toolCallF1([], [], "equal")).toMatchObject({ precision: 1, recall: 1, f1: 1 });
  });
  it("subset matching counts a maximum matching, not a greedy one", () => {
    // Expected A = {city: Paris} matches both calls; B = {city: Paris, unit: C} only the first.
    // Greedy (A takes the first call) would leave B unmatched: 1 of 2. The maximum matching pairs both.
    const expected = [
      expectedCall({ name: "w", arguments: { city: "Paris" } }, ""),
      expectedCall({ name: "w", arguments: { city: "Paris", unit: "C" } }, ""),
    ];
    const actual = [call("w", { city: "Paris", unit: "C" }), call("w", { city: "Paris", unit: "F" })];
    expect(toolCallF1(expected, actual, "subset")).toMatchObject({ matched: 2, f1: 1 });
    // With equal, only B matches (the first call, exactly): P = R = 1/2.
    expect(toolCallF1(expected, actual, "equal")).toMatchObject({ matched: 1, f1: 0.5 });
  });
  it("the scorer reads the expected calls from the config or the case, and names what is missing or extra", async () => {
    const result = await score({ type: "tool-call-f1" }, [call("search", { q: "x" }), call("open")], {
      toolCalls: ["search", "get_weather"],
    });
    expect(result).toEqual({
      score: 0.5,
      pass: false,
      reason: 'precision 0.5, recall 0.5; missing "get_weather"; unexpected "open" with "{}"',
    });
    expect(await score({ type: "tool-call-f1", calls: [] }, undefined)).toEqual({ score: 1, pass: true });
    expect((await score({ type: "tool-call-f1", threshold: 0.5 }, [call("search")], ["search", "open"])).pass).toBe(true);
    await expect(score({ type: "tool-call-f1" }, [call("search")], "search")).rejects.toThrow(/needs the expected calls/);
  });

  it("takes the one expected call tool-call reads (expected.tool with arguments, or expected.toolCall) as a list of one", async () => {
    const paris = call("get_weather", { city: "Paris" });
    const tool = { tool: "get_weather", arguments: { city: "Paris" } };
    expect(await score({ type: "tool-call-f1" }, [paris], tool)).toEqual({ score: 1, pass: true });
    expect(await score({ type: "tool-call-f1" }, [paris], { toolCall: { name: "get_weather" } })).toEqual({ score: 1, pass: true });
    expect((await score({ type: "tool-call-f1" }, [call("get_weather", { city: "Rome" })], tool)).score).toBe(0);
    expect((await score({ type: "tool-call-f1" }, [paris, call("search")], tool)).score).toBeCloseTo(2 / 3);
    // A list, when there is one, comes first.
    expect((await score({ type: "tool-call-f1" }, [paris], { ...tool, toolCalls: ["search"] })).score).toBe(0);
  });
});
