import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, InputError, listConfigFileErrors, loadConfig } from "@llmops/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadCases } from "../../src/cases/index.ts";
import { resolvePrompts, validatePromptVariables } from "../../src/template/index.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "llmops-config-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(text: string, name = "llmops.yaml"): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** The thrown error, asserting it is a ConfigError. */
async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

const VALID = `suites:
  - name: sentiment
    provider: { type: openai, model: gpt-4o-mini, baseUrl: "http://127.0.0.1:9/v1" }
    prompt: "Classify: {{text}}"
    cases:
      - vars: { text: great }
        expected: positive
    scorers:
      - type: equals
`;

describe("loadConfig", () => {
  it("loads a valid suite with its defaults and the config's directory", async () => {
    const file = await write(VALID);
    const loaded = await loadConfig(file);
    expect(loaded.file).toBe(file);
    expect(loaded.dir).toBe(dir);
    const [suite] = loaded.config.suites;
    expect(suite).toMatchObject({ name: "sentiment", concurrency: 8, repeats: 1, timeoutMs: 30_000, retries: 3, slices: [], gates: [] });
    expect(suite?.provider).toMatchObject({ type: "openai", model: "gpt-4o-mini", params: {}, headers: {} });
  });

  it("resolves a relative path against cwd", async () => {
    await write(VALID);
    const loaded = await loadConfig("llmops.yaml", { cwd: dir });
    expect(loaded.file).toBe(join(dir, "llmops.yaml"));
  });

  it("an unknown key names file:line:column, the YAML path and the key", async () => {
    const file = await write(VALID.replace("    prompt:", "    concurency: 4\n    prompt:"));
    const error = await configError(loadConfig(file));
    expect(error.yamlPath).toBe("suites[0].concurency");
    expect(error.location).toEqual({ file, line: 4, column: 5 });
    expect(error.message).toBe(`${file}:4:5: suites[0].concurency: unknown key "concurency"`);
  });

  it("a wrong type points at the value", async () => {
    const file = await write(`${VALID}    repeats: two\n`);
    const error = await configError(loadConfig(file));
    expect(error.yamlPath).toBe("suites[0].repeats");
    expect(error.location).toMatchObject({ line: 10, column: 14 });
    expect(error.expected).toMatch(/number/);
  });

  it("an unknown provider type says which types exist", async () => {
    const file = await write(VALID.replace("type: openai", "type: gpt"));
    const error = await configError(loadConfig(file));
    expect(error.yamlPath).toBe("suites[0].provider.type");
    expect(error.location).toMatchObject({ line: 3 });
    expect(error.expected).toMatch(/openai, anthropic, http, command, module or replay/);
  });

  it("an unknown key inside a provider is located on its line", async () => {
    const file = await write(VALID.replace(`baseUrl: "http://127.0.0.1:9/v1" }`, `baseUrl: "http://127.0.0.1:9/v1", temprature: 0 }`));
    const error = await configError(loadConfig(file));
    expect(error.yamlPath).toBe("suites[0].provider.temprature");
    // An unknown key is located at the key itself.
    expect(error.location).toMatchObject({ line: 3, column: 85 });
  });

  it("a bad regex in a scorer is a config error at the pattern (scorer schema)", async () => {
    const file = await write(`${VALID}      - { type: regex, pattern: "(unclosed" }\n`);
    const error = await configError(loadConfig(file));
    expect(error.yamlPath).toBe("suites[0].scorers[1].pattern");
    expect(error.location).toMatchObject({ line: 10, column: 33 });
    expect(error.expected).toMatch(/invalid regular expression/);
  });

  it("a missing config file is an InputError", async () => {
    await expect(loadConfig(join(dir, "nope.yaml"))).rejects.toThrow(InputError);
    await expect(loadConfig(join(dir, "nope.yaml"))).rejects.toThrow(/not found/);
  });

  it("invalid YAML is located", async () => {
    const file = await write("suites:\n  - name: a\n   bad: [\n");
    const error = await configError(loadConfig(file));
    expect(error.location?.line).toBeGreaterThanOrEqual(2);
    expect(error.expected).toMatch(/invalid YAML/);
  });

  it("duplicate suite names are reported at the second one", async () => {
    const second = VALID.split("\n").slice(1).join("\n");
    const file = await write(VALID + second);
    const error = await configError(loadConfig(file));
    expect(error.yamlPath).toBe("suites[1].name");
    expect(error.location).toMatchObject({ line: 10, column: 11 });
    expect(error.expected).toMatch(/unique suite name.*suites\[0\]/);
  });

  it.each([
    [
      "both provider and providers",
      VALID.replace("    prompt:", "    providers: [{ type: replay, file: r.jsonl }]\n    prompt:"),
      /exactly one of provider or providers/,
    ],
    ["no cases", VALID.replace(/ {4}cases:\n.*\n.*\n/, ""), /expected cases or casesFrom/],
    ["maxGap without across", `${VALID}    gates: [{ metric: equals, maxGap: 0.1 }]\n`, /across/],
    ["eachSlice not listed in slices", `${VALID}    gates: [{ metric: equals, min: 0.5, eachSlice: lang }]\n`, /listed in slices/],
    ["a gate without a bound", `${VALID}    gates: [{ metric: equals }]\n`, /min, max, or maxGap/],
    ["passRule k above repeats", `${VALID}    repeats: 2\n    passRule: { k: 3 }\n`, /k <= repeats/],
    [
      "a casesFrom with an unknown key",
      VALID.replace("    cases:", "    casesFrom: { file: a.csv, sheet: 1 }\n    cases:"),
      /unknown key "sheet"/,
    ],
    [
      "two providers without ids",
      VALID.replace(/ {4}provider: .*\n/, "    providers: [{ type: replay, file: a.jsonl }, { type: replay, file: b.jsonl }]\n"),
      /id for each/,
    ],
    ["duplicate scorer names", `${VALID}      - type: equals\n`, /unique scorer name/],
  ])("rejects %s", async (_name, text, pattern) => {
    const file = await write(text);
    const error = await configError(loadConfig(file));
    expect(error.message).toMatch(pattern);
    expect(error.location?.file).toBe(file);
  });

  it("accepts every gate form of the contract", async () => {
    const file = await write(
      `${VALID}    slices: [lang]
    gates:
      - { metric: equals, min: 0.8 }
      - { metric: error_rate, max: 0.05 }
      - { metric: equals, min: 0.7, slice: { lang: de } }
      - { metric: equals, min: 0.7, eachSlice: lang }
      - { metric: equals, maxGap: 0.1, across: lang }
`,
    );
    const loaded = await loadConfig(file);
    expect(loaded.config.suites[0]?.gates).toHaveLength(5);
  });
});

describe("listConfigFileErrors", () => {
  it("lists every bad line at once, in file order", async () => {
    const file = await write(
      VALID.replace("    prompt:", "    concurency: 4\n    prompt:").replace("type: equals", "type: equals\n        weight: heavy"),
    );
    const errors = await listConfigFileErrors(file);
    expect(errors.map((e) => [e.yamlPath, e.location?.line])).toEqual([
      ["suites[0].concurency", 4],
      ["suites[0].scorers[0].weight", 11],
    ]);
  });

  it("is empty for a valid file and reports YAML syntax errors as one entry", async () => {
    expect(await listConfigFileErrors(await write(VALID))).toEqual([]);
    const errors = await listConfigFileErrors(await write("a: [\n", "broken.yaml"));
    expect(errors).toHaveLength(1);
  });
});

describe("errors found after schema validation, before any provider call", () => {
  it("a template variable a case lacks names the case, the variable and the prompt's location", async () => {
    const file = await write(
      VALID.replace('prompt: "Classify: {{text}}"', 'prompt: "Classify {{text}} in {{lang}}"').replace(
        "expected: positive",
        "expected: positive\n        id: first",
      ),
    );
    const loaded = await loadConfig(file);
    const suite = loaded.config.suites[0]!;
    const cases = await loadCases(suite, { cwd: loaded.dir, doc: loaded.doc, suiteIndex: 0 });
    const prompts = await resolvePrompts(suite, { cwd: loaded.dir, doc: loaded.doc, suiteIndex: 0 });
    let error: unknown;
    try {
      validatePromptVariables(prompts, cases);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const e = error as ConfigError;
    expect(e.yamlPath).toBe("suites[0].prompt");
    expect(e.location).toEqual({ file, line: 4, column: 13 });
    expect(e.message).toContain('variable "lang"');
    expect(e.message).toContain(`case "first" (${file}:6)`);
  });

  it("a missing prompt file is a config error at the file key", async () => {
    const file = await write(VALID.replace('prompt: "Classify: {{text}}"', "prompt: { file: prompts/missing.txt }"));
    const loaded = await loadConfig(file);
    const error = await configError(resolvePrompts(loaded.config.suites[0]!, { cwd: loaded.dir, doc: loaded.doc, suiteIndex: 0 }));
    expect(error.yamlPath).toBe("suites[0].prompt.file");
    expect(error.location).toMatchObject({ line: 4, column: 21 });
    expect(error.expected).toMatch(/prompts\/missing.txt does not exist/);
  });

  it("a template syntax error in a chat message points at that message", async () => {
    const file = await write(
      VALID.replace(
        'prompt: "Classify: {{text}}"',
        'prompt:\n      messages:\n        - { role: system, content: "Be terse" }\n        - { role: user, content: "{{text" }',
      ),
    );
    const loaded = await loadConfig(file);
    const error = await configError(resolvePrompts(loaded.config.suites[0]!, { cwd: loaded.dir, doc: loaded.doc, suiteIndex: 0 }));
    expect(error.yamlPath).toBe("suites[0].prompt.messages[1].content");
    expect(error.location).toMatchObject({ line: 7, column: 34 });
    expect(error.expected).toMatch(/unclosed/);
  });

  it("a missing cases file is a config error at casesFrom", async () => {
    const file = await write(VALID.replace(/ {4}cases:\n.*\n.*\n/, "    casesFrom: data/cases.jsonl\n"));
    const loaded = await loadConfig(file);
    const error = await configError(loadCases(loaded.config.suites[0]!, { cwd: loaded.dir, doc: loaded.doc, suiteIndex: 0 }));
    expect(error.yamlPath).toBe("suites[0].casesFrom");
    expect(error.location).toMatchObject({ line: 5, column: 16 });
    expect(error.expected).toMatch(/data\/cases.jsonl does not exist/);
  });
});
