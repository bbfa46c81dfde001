import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ChatMessage, ConfigError, loadConfig, type SuiteConfig, suiteSchema } from "@llmops/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type EvalCase, loadCases } from "../../src/cases/index.ts";
import { conversationText, renderPrompt, resolvePrompts, withCaseMessages } from "../../src/template/index.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "llmops-conversation-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function suite(extra: Record<string, unknown>): SuiteConfig {
  return suiteSchema.parse({ name: "s", provider: { type: "replay", file: "r.jsonl" }, prompt: "{{q}}", cases: [{ vars: {} }], ...extra });
}

async function fromFile(name: string, content: string): Promise<EvalCase[]> {
  await writeFile(join(dir, name), content);
  return loadCases(suite({ casesFrom: name, cases: undefined }), { cwd: dir });
}

async function rejection(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

const history: ChatMessage[] = [
  { role: "user", content: "What is the weather in Paris?" },
  { role: "assistant", content: "", toolCalls: [{ id: "call_1", name: "weather", arguments: { city: "Paris" } }] },
  { role: "tool", content: '{"temp":21}', toolCallId: "call_1" },
  { role: "assistant", content: "21 degrees." },
];
const fixtures = [
  { name: "weather", arguments: { city: "Oslo" }, result: { temp: -3 } },
  { name: "weather", error: "no station" },
];

describe("case messages and toolResults", () => {
  it("inline cases carry them as written", async () => {
    const cases = await loadCases(
      suite({ cases: [{ vars: { q: "And Oslo?" }, messages: history, toolResults: fixtures }, { vars: { q: "hi" } }] }),
      {
        cwd: dir,
      },
    );
    expect(cases[0]!.messages).toEqual(history);
    expect(cases[0]!.toolResults).toEqual(fixtures);
    expect(cases[1]!.messages).toBeUndefined();
    expect(cases[1]).not.toHaveProperty("toolResults");
  });

  it("JSONL rows carry them (structured and flat rows), read back from the compact store", async () => {
    const rows = [
      { id: "a", vars: { q: "And Oslo?" }, messages: history, toolResults: fixtures },
      // A chat dataset's flat row: messages is the conversation, not a var.
      { id: "b", q: "next", messages: history.slice(0, 1) },
      { id: "c", q: "plain" },
    ];
    const cases = await fromFile("c.jsonl", `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`);
    expect(cases.map((c) => [c.id, c.vars, c.messages, c.toolResults])).toEqual([
      ["a", { q: "And Oslo?" }, history, fixtures],
      ["b", { q: "next" }, history.slice(0, 1), undefined],
      ["c", { q: "plain" }, undefined, undefined],
    ]);
  });

  it("JSON and YAML files carry them", async () => {
    const json = await fromFile("c.json", JSON.stringify([{ vars: { q: "x" }, messages: history, toolResults: fixtures }]));
    expect(json[0]).toMatchObject({ messages: history, toolResults: fixtures });
    const yaml = await fromFile(
      "c.yaml",
      [
        "- vars: { q: And Oslo? }",
        "  messages:",
        "    - { role: user, content: Weather in Paris? }",
        "    - role: assistant",
        '      content: ""',
        "      toolCalls: [{ id: c1, name: weather, arguments: { city: Paris } }]",
        '    - { role: tool, content: "{\\"temp\\":21}", toolCallId: c1 }',
        "  toolResults:",
        "    - { name: weather, arguments: { city: Oslo }, result: { temp: -3 } }",
        "",
      ].join("\n"),
    );
    expect(yaml[0]!.messages!.map((m) => m.role)).toEqual(["user", "assistant", "tool"]);
    expect(yaml[0]!.toolResults).toEqual([fixtures[0]]);
  });

  it("a bad message in a JSONL file names its line and path", async () => {
    const ok = JSON.stringify({ q: "a" });
    let error = await rejection(fromFile("c.jsonl", `${ok}\n\n${JSON.stringify({ q: "b", messages: [{ role: "bot", content: "x" }] })}\n`));
    expect(error.location).toEqual({ file: join(dir, "c.jsonl"), line: 3, column: 1 });
    expect(error.yamlPath).toBe("[1].messages[0].role");
    error = await rejection(fromFile("d.jsonl", `${ok}\n${JSON.stringify({ q: "b", messages: [{ role: "tool", content: "x" }] })}\n`));
    expect(error.location?.line).toBe(2);
    expect(error.expected).toMatch(/toolCallId on a tool message/);
  });

  it("a tool message must answer an earlier tool call, once; tool call ids are unique", async () => {
    const orphan = [
      { role: "user", content: "q" },
      { role: "tool", content: "{}", toolCallId: "nope" },
    ];
    let error = await rejection(fromFile("c.jsonl", `${JSON.stringify({ q: "a" })}\n${JSON.stringify({ q: "b", messages: orphan })}\n`));
    expect(error.location?.line).toBe(2);
    expect(error.yamlPath).toBe("[1].messages[1].toolCallId");
    expect(error.expected).toBe('expected the id of a tool call of an earlier assistant message; "nope" is none');
    const twice = [...history.slice(0, 3), { role: "tool", content: "{}", toolCallId: "call_1" }];
    error = await rejection(fromFile("d.jsonl", `${JSON.stringify({ q: "b", messages: twice })}\n`));
    expect(error.yamlPath).toBe("[0].messages[3].toolCallId");
    expect(error.expected).toMatch(/answered twice/);
    const duplicate = [history[1]!, { ...history[1]!, content: "again" }];
    error = await rejection(fromFile("e.jsonl", `${JSON.stringify({ q: "b", messages: duplicate })}\n`));
    expect(error.yamlPath).toBe("[0].messages[1].toolCalls[0].id");
  });

  it("a fixture needs a result or an error, and JSON values (YAML's .inf is not one)", async () => {
    let error = await rejection(fromFile("c.jsonl", `${JSON.stringify({ q: "b", toolResults: [{ name: "f" }] })}\n`));
    expect(error.yamlPath).toBe("[0].toolResults[0]");
    expect(error.expected).toMatch(/one of result or error/);
    error = await rejection(fromFile("c.yaml", "- q: x\n  toolResults:\n    - name: f\n      arguments: { n: .inf }\n      result: 1\n"));
    expect(error.yamlPath).toBe("[0].toolResults[0].arguments");
    expect(error.location?.line).toBe(4);
  });

  it("an inline case's conversation errors point at the config's line", async () => {
    await writeFile(
      join(dir, "llmops.yaml"),
      [
        "suites:",
        "  - name: s",
        "    provider: { type: replay, file: r.jsonl }",
        '    prompt: "{{q}}"',
        "    cases:",
        "      - vars: { q: x }",
        "        messages:",
        "          - { role: user, content: hi }",
        "          - { role: tool, content: '{}', toolCallId: c9 }",
        "",
      ].join("\n"),
    );
    const loaded = await loadConfig(undefined, { cwd: dir });
    const error = await rejection(loadCases(loaded.config.suites[0]!, { cwd: dir, doc: loaded.doc, suiteIndex: 0 }));
    expect(error.yamlPath).toBe("suites[0].cases[0].messages[1].toolCallId");
    expect(error.location).toMatchObject({ line: 9 });
  });

  it("CSV cannot hold them: a messages or toolResults column is an error; vars.messages is a var", async () => {
    let error = await rejection(fromFile("c.csv", "q,messages\na,hi\n"));
    expect(error.expected).toMatch(
      /no "messages" column: CSV cannot hold conversation messages or tool results; use a JSONL, JSON or YAML/,
    );
    expect(error.location).toEqual({ file: join(dir, "c.csv"), line: 1, column: 1 });
    error = await rejection(fromFile("d.csv", "q,toolResults\na,hi\n"));
    expect(error.expected).toMatch(/no "toolResults" column/);
    const cases = await fromFile("e.csv", "q,vars.messages\na,hi\n");
    expect(cases[0]!.vars).toEqual({ q: "a", messages: "hi" });
    expect(cases[0]!.messages).toBeUndefined();
  });

  it("a row JSON cannot carry exactly keeps its messages too", async () => {
    const row = { id: "x", z: -0, messages: history, toolResults: fixtures };
    const cases = await fromFile("c.jsonl", `${JSON.stringify(row).replace('"z":0', '"z":-0')}\n`);
    expect(Object.is(cases[0]!.vars.z, -0)).toBe(true);
    expect(cases[0]!.messages).toEqual(history);
    expect(cases[0]!.toolResults).toEqual(fixtures);
  });
});

describe("withCaseMessages", () => {
  const system: ChatMessage = { role: "system", content: "You are terse." };

  it("sends the prompt's system messages, then the case's turns, then the rest of the prompt", async () => {
    const [prompt] = await resolvePrompts(suite({ prompt: { messages: [system, { role: "user", content: "{{q}}" }] } }), { cwd: dir });
    const rendered = withCaseMessages(renderPrompt(prompt!, { q: "And Oslo?" }), history);
    expect(rendered.messages).toEqual([system, ...history, { role: "user", content: "And Oslo?" }]);
    expect(rendered.prompt).toBe(
      [
        "system: You are terse.",
        "user: What is the weather in Paris?",
        'assistant: \n→ weather({"city":"Paris"})',
        'tool: {"temp":21}',
        "assistant: 21 degrees.",
        "user: And Oslo?",
      ].join("\n\n"),
    );
  });

  it("a text prompt is the user's turn after the case's", async () => {
    const [prompt] = await resolvePrompts(suite({}), { cwd: dir });
    expect(withCaseMessages(renderPrompt(prompt!, { q: "And Oslo?" }), history.slice(0, 1)).messages).toEqual([
      history[0],
      { role: "user", content: "And Oslo?" },
    ]);
  });

  it("a prompt message that renders blank is left out, so a case may end with its own user turn", async () => {
    const [text] = await resolvePrompts(suite({}), { cwd: dir });
    expect(withCaseMessages(renderPrompt(text!, { q: " " }), history.slice(0, 1)).messages).toEqual(history.slice(0, 1));
    const [onlySystem] = await resolvePrompts(suite({ prompt: { messages: [system] } }), { cwd: dir });
    expect(withCaseMessages(renderPrompt(onlySystem!, {}), history.slice(0, 1)).messages).toEqual([system, history[0]]);
  });

  it("without case messages the rendered prompt is unchanged (text stays text)", async () => {
    const [prompt] = await resolvePrompts(suite({}), { cwd: dir });
    const rendered = renderPrompt(prompt!, { q: "hi" });
    expect(withCaseMessages(rendered, undefined)).toBe(rendered);
    expect(withCaseMessages(rendered, [])).toEqual({ prompt: "hi" });
  });

  it("a prompt's own tool turns are kept when it is rendered", async () => {
    const [prompt] = await resolvePrompts(suite({ prompt: { messages: [...history.slice(0, 3), { role: "user", content: "{{q}}" }] } }), {
      cwd: dir,
    });
    const rendered = renderPrompt(prompt!, { q: "And Oslo?" });
    expect(rendered.messages!.slice(0, 3)).toEqual(history.slice(0, 3));
    expect(
      conversationText([
        { role: "user", content: "a" },
        { role: "assistant", content: "b" },
      ]),
    ).toBe("user: a\n\nassistant: b");
  });
});
