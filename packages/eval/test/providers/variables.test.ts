import { ConfigError, parseLocatedYaml, providerConfigSchema, suiteSchema } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { loadCases } from "../../src/cases/index.ts";
import { secretEnvNamesOf, validateProviderVariables } from "../../src/providers/index.ts";

describe("secretEnvNamesOf", () => {
  it("names API key variables and {{env.X}} secrets of http templates", () => {
    const configs = [
      { type: "openai", model: "m" },
      { type: "openai", model: "m", apiKeyEnv: "AZURE_KEY" },
      { type: "openai", model: "m", apiKeyEnv: null },
      { type: "anthropic", model: "m" },
      {
        type: "http",
        url: "http://h/{{env.PATH_TOKEN}}",
        headers: { Authorization: "Bearer {{env.HTTP_TOKEN}}" },
        body: { q: "{{prompt}}" },
      },
      { type: "command", argv: ["x"], env: { NOT_SECRET: "1" } },
    ].map((c) => providerConfigSchema.parse(c));
    expect(secretEnvNamesOf(configs).sort()).toEqual(["ANTHROPIC_API_KEY", "AZURE_KEY", "HTTP_TOKEN", "OPENAI_API_KEY", "PATH_TOKEN"]);
  });
});

describe("validateProviderVariables", () => {
  const text = `suites:
  - name: s
    provider:
      type: http
      url: http://127.0.0.1:1/predict
      body: { question: "{{question}}", ctx: "{{vars.context}}", p: "{{prompt}}" }
    prompt: "{{question}}"
    cases:
      - { id: a, vars: { question: q1, context: c1 } }
      - { id: b, vars: { question: q2 } }
`;

  it("a case lacking a variable of an http request template is a ConfigError at the provider", async () => {
    const doc = parseLocatedYaml(text, "llmops.yaml");
    const suite = suiteSchema.parse((doc.value as { suites: unknown[] }).suites[0]);
    const cases = await loadCases(suite, { cwd: "/", doc, suiteIndex: 0 });
    let error: unknown;
    try {
      validateProviderVariables(suite, cases, { doc, suiteIndex: 0 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      'llmops.yaml:4:7: suites[0].provider: expected variable "vars.context" used by this provider\'s request template, but case "b" (llmops.yaml:10) does not set it',
    );
  });

  it("passes when every case has every variable", async () => {
    const doc = parseLocatedYaml(text.replace("{ question: q2 }", "{ question: q2, context: c2 }"), "llmops.yaml");
    const suite = suiteSchema.parse((doc.value as { suites: unknown[] }).suites[0]);
    const cases = await loadCases(suite, { cwd: "/", doc, suiteIndex: 0 });
    expect(() => validateProviderVariables(suite, cases, { doc, suiteIndex: 0 })).not.toThrow();
  });
});
