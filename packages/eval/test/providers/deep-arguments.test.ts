import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CaseResult, loadConfig, providerConfigSchema, silentLogger } from "@llmops/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createProvider } from "../../src/providers/index.ts";
import { jsonTextDepth, MAX_JSON_DEPTH, parseToolArguments } from "../../src/providers/tool-calls.ts";
import { prepareSuite } from "../../src/run/suite.ts";
import { argumentsTooLarge, recordedCall } from "../../src/run/tool-answers.ts";
import { jsonEqual } from "../../src/scorers/tool-call.ts";
import { type StubServer, sendJson, startStubServer } from "./stub-server.ts";

/** `[[[…]]]` nested `depth` deep: JSON.parse reads it, JSON.stringify of the parsed value overflows the stack. */
const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
const DEEP = nested(400_000);

let dir: string;
let server: StubServer | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "llmops-deep-"));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe("tool-call arguments nested deeper than MAX_JSON_DEPTH", () => {
  it("the limit is the one the scorers compare to", () => {
    expect(MAX_JSON_DEPTH).toBe(64);
    // The scorers' equality gives up past the same depth.
    const atLimit = JSON.parse(nested(MAX_JSON_DEPTH)) as unknown;
    expect(jsonEqual(atLimit, JSON.parse(nested(MAX_JSON_DEPTH)))).toBe(true);
    expect(jsonEqual(JSON.parse(nested(MAX_JSON_DEPTH + 2)), JSON.parse(nested(MAX_JSON_DEPTH + 2)))).toBe(false);
  });

  it("are kept as the text the model sent; arguments at the limit are parsed", () => {
    expect(parseToolArguments(nested(MAX_JSON_DEPTH))).toEqual(JSON.parse(nested(MAX_JSON_DEPTH)));
    expect(parseToolArguments(nested(MAX_JSON_DEPTH + 1))).toBe(nested(MAX_JSON_DEPTH + 1));
    expect(parseToolArguments(DEEP)).toBe(DEEP);
    // Brackets inside strings (escaped quotes included) are not nesting.
    const text = JSON.stringify({ s: `\\"${"[".repeat(100)}` });
    expect(jsonTextDepth(text)).toBe(1);
    expect(parseToolArguments(text)).toEqual(JSON.parse(text));
  });

  it("arguments that cannot be written as JSON count as too large and are recorded as a note", () => {
    const parsed = JSON.parse(nested(200_000)) as unknown;
    expect(() => JSON.stringify(parsed)).toThrow(RangeError);
    const call = { id: "c", name: "f", arguments: parsed };
    expect(argumentsTooLarge(call)).toBe(Number.POSITIVE_INFINITY);
    expect(recordedCall(call).arguments).toMatch(/not writable as JSON/);
  });

  it("structured tool calls (module, command, replay) given as values: deeper ones are kept as their JSON text", async () => {
    await writeFile(
      join(dir, "model.mjs"),
      `export default () => {
        let deep = 1;
        for (let i = 0; i < ${MAX_JSON_DEPTH + 1}; i++) deep = [deep];
        return { output: "", toolCalls: [{ name: "f", arguments: { a: [1] } }, { name: "g", arguments: deep }] };
      };`,
    );
    const p = createProvider(providerConfigSchema.parse({ type: "module", path: "model.mjs" }), {
      env: {},
      cwd: dir,
      logger: silentLogger,
    });
    const response = await p.call({ prompt: "p", vars: {}, signal: new AbortController().signal });
    expect(response.toolCalls![0]!.arguments).toEqual({ a: [1] });
    expect(response.toolCalls![1]!.arguments).toBe(`${"[".repeat(MAX_JSON_DEPTH + 1)}1${"]".repeat(MAX_JSON_DEPTH + 1)}`);
  });

  it("from an OpenAI-compatible server: the run finishes and the healthy case's result is kept", async () => {
    server = await startStubServer((request, res) => {
      const body = request.body as { messages: { content: string }[] };
      const deep = body.messages.some((m) => m.content.includes("deep"));
      sendJson(res, 200, {
        id: "chatcmpl-1",
        object: "chat.completion",
        created: 1,
        model: "gpt-test",
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: null,
              tool_calls: [{ id: "call_1", type: "function", function: { name: "f", arguments: deep ? DEEP : '{"city":"Paris"}' } }],
            },
            finish_reason: "tool_calls",
          },
        ],
      });
    });
    await writeFile(
      join(dir, "llmops.yaml"),
      [
        "suites:",
        "  - name: deep",
        `    provider: { type: openai, model: gpt-test, baseUrl: "${server.origin}/v1", apiKeyEnv: K, tools: [{ name: f }] }`,
        '    prompt: "{{q}}"',
        "    retries: 0",
        "    cases:",
        "      - { id: deep, vars: { q: deep }, expected: { tool: f } }",
        "      - { id: healthy, vars: { q: healthy }, expected: { tool: f, arguments: { city: Paris } } }",
        "    scorers: [{ type: tool-call }]",
        "",
      ].join("\n"),
    );
    const loaded = await loadConfig(undefined, { cwd: dir });
    const prepared = await prepareSuite({
      loaded,
      suite: loaded.config.suites[0]!,
      suiteIndex: 0,
      env: { K: "sk-test-0123456789" },
      logger: silentLogger,
    });
    const [run] = await prepared.execute({ cacheDir: null, outDir: () => join(dir, "out") });
    const rows = (await readFile(run!.written!.resultsPath, "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as CaseResult);
    expect(rows.map((r) => r.id)).toEqual(["deep", "healthy"]);
    expect(rows[1]).toMatchObject({ pass: true, toolCalls: [{ name: "f", arguments: { city: "Paris" } }] });
    // The deep case keeps the model's text: a call of f that a name-only expectation accepts.
    expect(rows[0]!.toolCalls![0]!.arguments).toBe(DEEP);
    expect(rows[0]!.pass).toBe(true);
  }, 30_000);
});
