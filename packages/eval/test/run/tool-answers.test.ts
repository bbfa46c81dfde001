import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExitCode, InputError, type ToolResultFixture, toolResultFixtureSchema } from "@llmops/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  answerToolCall,
  findFixture,
  loadModuleTools,
  MAX_TOOL_JSON_BYTES,
  type ModuleTools,
  recordedCall,
  recordedCalls,
  type ToolFunction,
} from "../../src/run/tool-answers.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "llmops-tools-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const fixtures = (list: unknown[]): ToolResultFixture[] => list.map((f) => toolResultFixtureSchema.parse(f));
const call = (name: string, args: unknown, id = "call_1") => ({ id, name, arguments: args });
const noTools: ModuleTools = new Map();
const tools = (entries: Record<string, ToolFunction>): ModuleTools => new Map(Object.entries(entries));

describe("findFixture", () => {
  const list = fixtures([
    { name: "weather", arguments: { city: "Paris", unit: "c" }, result: { temp: 21 } },
    { name: "weather", arguments: { city: "Oslo" }, error: "station offline" },
    { name: "weather", result: { temp: 0 } },
    { name: "search", arguments: { q: "x", filters: { b: [1, 2], a: null } }, result: ["hit"] },
  ]);

  it("matches arguments by canonical JSON: key order, nested objects and whitespace do not matter", () => {
    expect(findFixture(list, call("weather", { unit: "c", city: "Paris" }))).toBe(list[0]);
    expect(findFixture(list, call("search", { filters: { a: null, b: [1, 2] }, q: "x" }))).toBe(list[3]);
  });

  it("array order, types and extra keys do matter", () => {
    expect(findFixture(list, call("search", { q: "x", filters: { a: null, b: [2, 1] } }))).toBeUndefined();
    expect(findFixture(list, call("search", { q: "x", filters: { a: null, b: [1, 2] }, page: 1 }))).toBeUndefined();
    // 21 and "21" are different arguments; Paris + unit is not Paris alone: the wildcard answers.
    expect(findFixture(list, call("weather", { city: "Paris" }))).toBe(list[2]);
    expect(findFixture(list, call("weather", { city: "Paris", unit: 1 }))).toBe(list[2]);
  });

  it("takes the first match in order: a wildcard before a specific fixture wins", () => {
    const wildcardFirst = fixtures([
      { name: "weather", result: "any" },
      { name: "weather", arguments: { city: "Paris" }, result: "paris" },
    ]);
    expect(findFixture(wildcardFirst, call("weather", { city: "Paris" }))).toBe(wildcardFirst[0]);
    expect(findFixture(list, call("weather", { city: "Oslo" }))).toBe(list[1]);
  });

  it("a fixture without arguments answers any call of its tool, with any arguments (even raw text)", () => {
    expect(findFixture(list, call("weather", "not json {"))).toBe(list[2]);
    expect(findFixture(list, call("weather", null))).toBe(list[2]);
    expect(findFixture(list, call("calendar", {}))).toBeUndefined();
    expect(findFixture(undefined, call("weather", {}))).toBeUndefined();
  });

  it("matches raw (non-JSON) arguments by their string, and `{}` fixtures only `{}` calls", () => {
    const raw = fixtures([
      { name: "f", arguments: "not json {", result: 1 },
      { name: "g", arguments: {}, result: 2 },
    ]);
    expect(findFixture(raw, call("f", "not json {"))).toBe(raw[0]);
    expect(findFixture(raw, call("g", {}))).toBe(raw[1]);
    expect(findFixture(raw, call("g", null))).toBeUndefined();
  });
});

describe("answerToolCall", () => {
  it("answers from a fixture: the result as JSON text, or its error", async () => {
    const list = fixtures([
      { name: "weather", arguments: { city: "Paris" }, result: { temp: 21, sky: "clear" } },
      { name: "weather", error: "station offline" },
      { name: "echo", result: "plain text" },
    ]);
    expect(await answerToolCall(call("weather", { city: "Paris" }), { fixtures: list, tools: noTools, timeoutMs: 100 })).toEqual({
      source: "fixture",
      result: { temp: 21, sky: "clear" },
      content: '{"temp":21,"sky":"clear"}',
    });
    expect(await answerToolCall(call("weather", { city: "Rome" }), { fixtures: list, tools: noTools, timeoutMs: 100 })).toEqual({
      source: "fixture",
      error: "station offline",
      content: '{"error":"station offline"}',
    });
    // A string result is sent as JSON text too: quoted.
    expect((await answerToolCall(call("echo", {}), { fixtures: list, tools: noTools, timeoutMs: 100 })).content).toBe('"plain text"');
  });

  it("falls back to the module tool of that name, called with the parsed arguments", async () => {
    const seen: unknown[] = [];
    const answer = await answerToolCall(call("add", { a: 2, b: 3 }), {
      fixtures: fixtures([{ name: "add", arguments: { a: 1, b: 1 }, result: 2 }]),
      tools: tools({
        add: async (args, context) => {
          seen.push(args, context.name, context.id, context.signal instanceof AbortSignal);
          const { a, b } = args as { a: number; b: number };
          return { sum: a + b };
        },
      }),
      timeoutMs: 1000,
    });
    expect(answer).toEqual({ source: "module", result: { sum: 5 }, content: '{"sum":5}' });
    expect(seen).toEqual([{ a: 2, b: 3 }, "add", "call_1", true]);
  });

  it("a module tool returning nothing answers null; a synchronous one works too", async () => {
    const answer = await answerToolCall(call("noop", {}), { tools: tools({ noop: () => undefined }), timeoutMs: 100 });
    expect(answer).toEqual({ source: "module", result: null, content: "null" });
  });

  it("a module tool that throws answers its message on one line, without a stack", async () => {
    const answer = await answerToolCall(call("boom", {}), {
      tools: tools({
        boom: () => {
          throw new Error("database unreachable\n    at query (db.ts:1:1)\n    at main");
        },
      }),
      timeoutMs: 100,
    });
    expect(answer.source).toBe("module");
    expect(answer.error).toBe("tool boom failed: database unreachable at query (db.ts:1:1) at main");
    expect(answer.error).not.toMatch(/\n/);
    expect(JSON.parse(answer.content)).toEqual({ error: answer.error });
    const rejected = await answerToolCall(call("boom", {}), {
      tools: tools({ boom: () => Promise.reject("plain reason") }),
      timeoutMs: 100,
    });
    expect(rejected.error).toBe("tool boom failed: plain reason");
  });

  it("a module tool that never returns times out (even one ignoring its signal), and its signal is aborted", async () => {
    let aborted = false;
    const started = performance.now();
    const answer = await answerToolCall(call("slow", {}), {
      tools: tools({
        slow: (_args, { signal }) => {
          signal.addEventListener("abort", () => (aborted = true));
          return new Promise(() => {});
        },
      }),
      timeoutMs: 50,
    });
    expect(answer).toMatchObject({ source: "module", error: "tool slow failed: timed out after 50 ms" });
    expect(aborted).toBe(true);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("a call with no fixture and no module tool is answered with an error, never thrown", async () => {
    const answer = await answerToolCall(call("calendar", { day: 1 }), {
      fixtures: fixtures([{ name: "weather", result: 1 }]),
      tools: noTools,
      timeoutMs: 100,
    });
    expect(answer).toEqual({
      source: "missing",
      error: "no tool result for calendar with these arguments, and no module tool calendar",
      content: JSON.stringify({ error: "no tool result for calendar with these arguments, and no module tool calendar" }),
    });
  });

  it("refuses arguments over 1 MiB without calling the tool", async () => {
    let called = false;
    const huge = { text: "x".repeat(MAX_TOOL_JSON_BYTES) };
    const answer = await answerToolCall(call("f", huge), {
      fixtures: fixtures([{ name: "f", result: 1 }]),
      tools: tools({ f: () => (called = true) }),
      timeoutMs: 100,
    });
    expect(answer.source).toBe("missing");
    expect(answer.error).toMatch(/^the call's arguments are 1048587 bytes of JSON, over the 1048576-byte limit/);
    expect(called).toBe(false);
  });

  it("bounds results: over 1 MiB of JSON, or not JSON at all, is an error answer", async () => {
    const big = await answerToolCall(call("f", {}), { tools: tools({ f: () => "é".repeat(MAX_TOOL_JSON_BYTES / 2) }), timeoutMs: 1000 });
    expect(big.error).toBe("the tool's result is 1048578 bytes of JSON, over the 1048576-byte limit");
    expect(big.result).toBeUndefined();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const bad = await answerToolCall(call("f", {}), { tools: tools({ f: () => cyclic }), timeoutMs: 100 });
    expect(bad.error).toMatch(/^the tool returned a value JSON cannot hold/);
    const fn = await answerToolCall(call("f", {}), { tools: tools({ f: () => () => 1 }), timeoutMs: 100 });
    expect(fn.error).toBe("the tool returned a function, not JSON");
    // What is recorded is what the model was sent: a Date becomes its JSON string.
    const date = await answerToolCall(call("f", {}), { tools: tools({ f: () => ({ at: new Date(0) }) }), timeoutMs: 100 });
    expect(date.result).toEqual({ at: "1970-01-01T00:00:00.000Z" });
  });

  it("stops a module tool when the run is stopped", async () => {
    const controller = new AbortController();
    const pending = answerToolCall(call("slow", {}), {
      tools: tools({ slow: () => new Promise(() => {}) }),
      timeoutMs: 10_000,
      signal: controller.signal,
    });
    controller.abort(new Error("stopped"));
    expect((await pending).error).toBe("tool slow failed: stopped");
  });
});

describe("recorded calls", () => {
  it("keep at most 128 calls of a reply and replace arguments over 1 MiB by a note of their size", () => {
    const calls = Array.from({ length: 200 }, (_, i) => call("f", { i }, `c${i}`));
    expect(recordedCalls(calls)).toHaveLength(128);
    expect(recordedCall(call("f", { a: 1 }))).toEqual(call("f", { a: 1 }));
    expect(recordedCall(call("f", "y".repeat(MAX_TOOL_JSON_BYTES + 10))).arguments).toBe(
      "<1048588 bytes of arguments, over the 1048576-byte limit>",
    );
  });
});

describe("loadModuleTools", () => {
  it("imports each module once and finds the named export (default by default)", async () => {
    await writeFile(join(dir, "tools.mjs"), "export default (args) => ({ got: args });\nexport const add = ({ a, b }) => a + b;\n");
    await writeFile(
      join(dir, "typed.ts"),
      "export function shout(args: { text: string }): string {\n  return args.text.toUpperCase();\n}\n",
    );
    const loaded = await loadModuleTools(
      {
        tools: {
          echo: { module: "tools.mjs", export: "default" },
          add: { module: "./tools.mjs", export: "add" },
          shout: { module: "typed.ts", export: "shout" },
        },
      },
      dir,
    );
    expect([...loaded.keys()]).toEqual(["echo", "add", "shout"]);
    expect(await answerToolCall(call("add", { a: 1, b: 2 }), { tools: loaded, timeoutMs: 1000 })).toMatchObject({ result: 3 });
    expect(await answerToolCall(call("shout", { text: "hi" }), { tools: loaded, timeoutMs: 1000 })).toMatchObject({ result: "HI" });
  });

  it("a missing module, a module that fails to import and a missing export are InputErrors (exit 2) naming the tool", async () => {
    await writeFile(join(dir, "tools.mjs"), "export const add = 1;\n");
    await writeFile(join(dir, "broken.mjs"), "import 'no-such-package-xyz';\n");
    const failure = async (tools: Record<string, { module: string; export: string }>) => {
      const error = await loadModuleTools({ tools }, dir).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).exitCode).toBe(ExitCode.Usage);
      return (error as Error).message;
    };
    expect(await failure({ lookup: { module: "missing.mjs", export: "default" } })).toBe(
      'agent tool "lookup": module missing.mjs does not exist',
    );
    expect(await failure({ add: { module: "tools.mjs", export: "add" } })).toBe(
      'agent tool "add": module tools.mjs has no exported function "add" (found number)',
    );
    expect(await failure({ sub: { module: "tools.mjs", export: "sub" } })).toBe(
      'agent tool "sub": module tools.mjs has no exported function "sub" (found undefined)',
    );
    expect(await failure({ b: { module: "broken.mjs", export: "default" } })).toMatch(
      /^agent tool "b": module broken.mjs cannot be imported \(.*no-such-package-xyz/,
    );
  });
});
