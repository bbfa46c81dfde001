import { describe, expect, it } from "vitest";
import { llmopsConfigSchema } from "../src/config/schema.ts";

/** The first issue of a suite built from a provider and optional extra suite keys, as `path: message`. */
function firstIssue(provider: Record<string, unknown>, extra: Record<string, unknown> = {}): string | undefined {
  const result = llmopsConfigSchema.safeParse({
    suites: [{ name: "s", provider, prompt: "{{q}}", cases: [{ vars: { q: "a" } }], ...extra }],
  });
  const issue = result.success ? undefined : result.error.issues[0];
  return issue && `${issue.path.join(".")}: ${issue.message}`;
}

const chat = { type: "openai", model: "m", baseUrl: "http://127.0.0.1:1/v1" };
const weather = { name: "weather", parameters: { type: "object" } };

describe("tool settings that cannot work together", () => {
  it("accepts a consistent tool suite, and tools on providers that make their own calls", () => {
    expect(firstIssue({ ...chat, tools: [weather], toolChoice: { name: "weather" } })).toBeUndefined();
    expect(firstIssue({ ...chat, tools: [weather] }, { agent: { maxTurns: 3, tools: { weather: { module: "w.ts" } } } })).toBeUndefined();
    expect(firstIssue({ type: "module", path: "m.ts" }, { agent: { tools: { weather: { module: "w.ts" } } } })).toBeUndefined();
  });

  it("refuses a tool choice naming no configured tool", () => {
    expect(firstIssue({ ...chat, tools: [weather], toolChoice: { name: "almanac" } })).toBe(
      'suites.0.provider.toolChoice.name: expected one of the provider\'s tools (weather); "almanac" is not',
    );
    expect(firstIssue({ ...chat, toolChoice: "required" })).toBe(
      "suites.0.provider.toolChoice: expected tools for this toolChoice to choose from",
    );
    expect(firstIssue({ ...chat, type: "anthropic", toolChoice: { name: "x" } })).toMatch(/toolChoice: expected tools/);
  });

  it("refuses an agent whose model is offered no tools, or not the tool a module answers", () => {
    expect(firstIssue(chat, { agent: { maxTurns: 3 } })).toBe(
      "suites.0.provider.tools: expected tools for the agent to call (the suite sets agent:)",
    );
    expect(firstIssue({ ...chat, tools: [weather] }, { agent: { tools: { almanac: { module: "a.ts" } } } })).toBe(
      'suites.0.provider.tools: expected a tool named "almanac" (agent.tools.almanac answers it, but the model is never offered it)',
    );
  });

  it("refuses duplicate tool names, and names a missing reply schema plainly", () => {
    expect(firstIssue({ ...chat, tools: [weather, weather] })).toBe(
      'suites.0.provider.tools.1.name: expected unique tool names; "weather" appears twice',
    );
    expect(firstIssue({ ...chat, responseFormat: { name: "r" } })).toBe(
      "suites.0.provider.responseFormat.schema: expected a JSON Schema object for the reply",
    );
  });

  it("checks each of several providers at its own path", () => {
    const result = firstIssue(undefined as never, {
      provider: undefined,
      providers: [
        { ...chat, id: "a", tools: [weather] },
        { ...chat, id: "b", toolChoice: "required" },
      ],
    });
    expect(result).toBe("suites.0.providers.1.toolChoice: expected tools for this toolChoice to choose from");
  });
});
