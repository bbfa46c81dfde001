import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, ExitCode } from "../src/errors.ts";
import { findScalarEntries, formatYamlPath, listConfigErrors, parseLocatedYaml, validateLocated } from "../src/yaml-config.ts";

const schema = z.strictObject({
  store: z.string().optional(),
  suites: z.array(z.strictObject({ name: z.string(), concurrency: z.number().int().positive().default(4) })).default([]),
});

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("located YAML config", () => {
  const file = "llmops.yaml";

  it("validates and applies defaults", () => {
    const doc = parseLocatedYaml("suites:\n  - name: a\n", file);
    expect(validateLocated(doc, schema)).toEqual({ suites: [{ name: "a", concurrency: 4 }] });
  });

  it("points a wrong type at its value's line and column with the YAML path", () => {
    const doc = parseLocatedYaml("store: x\nsuites:\n  - name: a\n    concurrency: many\n", file);
    const error = errorOf(() => validateLocated(doc, schema));
    expect(error.location).toEqual({ file, line: 4, column: 18 });
    expect(error.yamlPath).toBe("suites[0].concurrency");
    expect(error.message).toMatch(/^llmops\.yaml:4:18: suites\[0\]\.concurrency: .*number/);
    expect(error.exitCode).toBe(ExitCode.Usage);
  });

  it("names an unknown key and points at it", () => {
    const doc = parseLocatedYaml("suites:\n  - name: a\n    concurency: 2\n", file);
    const error = errorOf(() => validateLocated(doc, schema));
    expect(error.yamlPath).toBe("suites[0].concurency");
    expect(error.expected).toContain('unknown key "concurency"');
    expect(error.location).toEqual({ file, line: 3, column: 5 });
  });

  it("points a missing required key at its parent mapping", () => {
    const doc = parseLocatedYaml("suites:\n  - concurrency: 2\n", file);
    const error = errorOf(() => validateLocated(doc, schema));
    expect(error.yamlPath).toBe("suites[0].name");
    expect(error.location).toEqual({ file, line: 2, column: 5 });
  });

  it("reports YAML syntax errors with their position", () => {
    const error = errorOf(() => parseLocatedYaml("suites:\n  - name: [a\n", file));
    expect(error.message).toMatch(/^llmops\.yaml:\d+:\d+: \(root\): invalid YAML/);
  });

  it("refuses duplicate keys", () => {
    expect(() => parseLocatedYaml("store: a\nstore: b\n", file)).toThrow(ConfigError);
  });

  it("lists every issue for annotations", () => {
    const doc = parseLocatedYaml("suites:\n  - name: 1\n  - name: b\n    concurrency: -1\n", file);
    const errors = listConfigErrors(doc, schema);
    expect(errors.map((e) => e.yamlPath)).toEqual(["suites[0].name", "suites[1].concurrency"]);
  });

  it("formats YAML paths as users write them", () => {
    expect(formatYamlPath(["suites", 0, "scorers", 2, "type"])).toBe("suites[0].scorers[2].type");
  });
});

describe("findScalarEntries", () => {
  it("decodes values as YAML does, escapes included, and gives the key's line", () => {
    // YAML 1.2 double-quoted escapes that JSON does not have: \x, \e, \N, \_; single quotes double themselves.
    const text = [
      "suites:",
      "  - name: qa",
      "    cases:",
      '      - id: "caf\\xe9"',
      "      - { id: 'it''s', vars: {} }",
      '      - id: "tab\\there \\N \\u00e9"',
      "      - id: plain # a comment",
      "      - id: 42",
      "      - vars: { id: nested }",
      "",
    ].join("\n");
    expect(findScalarEntries(text, "id")).toEqual([
      { value: "café", line: 4, column: 9 },
      { value: "it's", line: 5, column: 11 },
      { value: "tab\there \u0085 é", line: 6, column: 9 },
      { value: "plain", line: 7, column: 9 },
      { value: "42", line: 8, column: 9 },
      { value: "nested", line: 9, column: 17 },
    ]);
  });

  it("reads JSON Lines one line at a time", () => {
    expect(findScalarEntries('{"id":"a"}\n\n{"id": "b\\u00e9", "vars": {}}\n', "id")).toEqual([
      { value: "a", line: 1, column: 2 },
      { value: "bé", line: 3, column: 2 },
    ]);
  });
});

describe("suite schema cross-checks", () => {
  it("validates an llm-judge's provider at load time, located in the file", async () => {
    const { llmopsConfigSchema } = await import("../src/config/schema.ts");
    const text = [
      "suites:",
      "  - name: s",
      "    provider: { type: module, path: p.ts }",
      '    prompt: "{{q}}"',
      "    cases: [{ vars: { q: a } }]",
      "    scorers:",
      "      - type: llm-judge",
      "        rubric: Is it right?",
      "        provider: { type: openai }",
      "",
    ].join("\n");
    const error = errorOf(() => validateLocated(parseLocatedYaml(text, "llmops.yaml"), llmopsConfigSchema));
    expect(error.yamlPath).toBe("suites[0].scorers[0].provider.model");
    expect(error.location?.line).toBe(9);
  });

  it.each([
    [
      "a RAG judge's provider",
      "      - type: context-faithfulness\n        provider: { type: openai }",
      "suites[0].scorers[0].provider.model",
    ],
    [
      "similar's embeddings",
      "      - type: similar\n        embeddings: { type: embeddings, baseUrl: 'not a url', model: m }",
      "suites[0].scorers[0].embeddings.baseUrl",
    ],
  ])("validates %s at load time, located in the file", async (_what, scorer, yamlPath) => {
    const { llmopsConfigSchema } = await import("../src/config/schema.ts");
    const text = [
      "suites:",
      "  - name: s",
      "    provider: { type: module, path: p.ts }",
      '    prompt: "{{q}}"',
      "    cases: [{ vars: { q: a } }]",
      "    scorers:",
      scorer,
      "",
    ].join("\n");
    const error = errorOf(() => validateLocated(parseLocatedYaml(text, "llmops.yaml"), llmopsConfigSchema));
    expect(error.yamlPath).toBe(yamlPath);
    expect(error.location?.line).toBe(8);
  });
});
