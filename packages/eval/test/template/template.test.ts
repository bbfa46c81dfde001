import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suiteSchema } from "@llmops/core";
import { describe, expect, it } from "vitest";
import {
  formatValue,
  MissingVariableError,
  parseTemplate,
  renderPrompt,
  renderTemplate,
  resolvePrompts,
  splitPath,
  TemplateSyntaxError,
  templateVariables,
} from "../../src/template/index.ts";

describe("renderTemplate", () => {
  it("substitutes top-level, dotted and indexed variables, tolerating spaces inside braces", () => {
    const scope = { text: "hello", user: { name: "Ada", langs: ["en", "de"] } };
    expect(renderTemplate("Say {{text}} to {{ user.name }} in {{user.langs[1]}}.", scope)).toBe("Say hello to Ada in de.");
  });

  it("renders numbers and booleans as text, objects and arrays as JSON, null as nothing", () => {
    expect(renderTemplate("{{n}}|{{b}}|{{o}}|{{a}}|{{z}}", { n: 4.5, b: false, o: { k: 1 }, a: [1, "x"], z: null })).toBe(
      '4.5|false|{"k":1}|[1,"x"]|',
    );
  });

  it("leaves text without placeholders untouched, including single braces and JSON", () => {
    expect(renderTemplate('Return {"a": 1} and {x}', {})).toBe('Return {"a": 1} and {x}');
  });

  it("throws MissingVariableError naming the variable, including a missing nested key or index", () => {
    expect(() => renderTemplate("{{missing}}", {})).toThrow(MissingVariableError);
    try {
      renderTemplate("{{user.email}}", { user: { name: "x" } });
      expect.unreachable();
    } catch (error) {
      expect((error as MissingVariableError).variable).toBe("user.email");
    }
    expect(() => renderTemplate("{{a[2]}}", { a: [1] })).toThrow(/"a\[2\]"/);
    expect(() => renderTemplate("{{a.length}}", { a: [1] })).toThrow(MissingVariableError);
    expect(() => renderTemplate("{{s.length}}", { s: "abc" })).toThrow(MissingVariableError);
  });

  it("does not read inherited properties", () => {
    expect(() => renderTemplate("{{constructor}}", {})).toThrow(MissingVariableError);
    expect(() => renderTemplate("{{o.toString}}", { o: {} })).toThrow(MissingVariableError);
  });
});

describe("parseTemplate", () => {
  it("splits text and variables with their paths", () => {
    expect(parseTemplate("a {{x.y[0]}} b")).toEqual([
      { kind: "text", text: "a " },
      { kind: "variable", name: "x.y[0]", path: ["x", "y", 0] },
      { kind: "text", text: " b" },
    ]);
  });

  it("rejects an unclosed placeholder with its offset", () => {
    try {
      parseTemplate("abc {{text");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TemplateSyntaxError);
      expect((error as TemplateSyntaxError).offset).toBe(4);
    }
  });

  it("rejects placeholders that are not variable names (no logic in templates)", () => {
    expect(() => parseTemplate("{{ x | upper }}")).toThrow(/expected a variable name/);
    expect(() => parseTemplate("{{}}")).toThrow(TemplateSyntaxError);
    expect(() => parseTemplate("{{#if x}}")).toThrow(TemplateSyntaxError);
  });

  it("lists distinct variables in order of first use", () => {
    expect(templateVariables("{{b}} {{a}} {{b}} {{c.d}}")).toEqual(["b", "a", "c.d"]);
  });
});

describe("helpers", () => {
  it("splitPath handles response paths", () => {
    expect(splitPath("choices[0].message.content")).toEqual(["choices", 0, "message", "content"]);
  });
  it("formatValue keeps strings verbatim", () => {
    expect(formatValue("  two\nlines ")).toBe("  two\nlines ");
  });
});

describe("prompts", () => {
  it("reads text and JSON-message prompt files and renders them with a case's vars", async () => {
    const dir = await mkdtemp(join(tmpdir(), "llmops-prompts-"));
    try {
      await writeFile(join(dir, "p.txt"), "Translate {{text}} to {{lang}}.\n");
      await writeFile(
        join(dir, "chat.json"),
        JSON.stringify([
          { role: "system", content: "You translate." },
          { role: "user", content: "{{text}} -> {{lang}}" },
        ]),
      );
      const suite = suiteSchema.parse({
        name: "s",
        provider: { type: "replay", file: "r.jsonl" },
        prompts: [{ file: "p.txt" }, { file: "chat.json" }, "inline {{text}}"],
        cases: [{ vars: { text: "Hallo", lang: "en" } }],
      });
      const prompts = await resolvePrompts(suite, { cwd: dir, suiteIndex: 2 });
      expect(prompts.map((p) => p.yamlPath)).toEqual(["suites[2].prompts[0]", "suites[2].prompts[1]", "suites[2].prompts[2]"]);
      const vars = { text: "Hallo", lang: "en" };
      expect(renderPrompt(prompts[0]!, vars)).toEqual({ prompt: "Translate Hallo to en.\n" });
      expect(renderPrompt(prompts[1]!, vars)).toEqual({
        prompt: "system: You translate.\n\nuser: Hallo -> en",
        messages: [
          { role: "system", content: "You translate." },
          { role: "user", content: "Hallo -> en" },
        ],
      });
      expect(renderPrompt(prompts[2]!, vars)).toEqual({ prompt: "inline Hallo" });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
