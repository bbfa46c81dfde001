import { readdir, readFile, symlink } from "node:fs/promises";
import { join } from "node:path";
import { InputError } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { type CheckEntryOf, type CheckResult, checkDataset, JsonSchemaFileError, NoCaseFilesError, runCheck } from "../../src/index.ts";
import { jsonl, logger, tempDir, writeFiles } from "./helpers.ts";

function check<N extends CheckEntryOf<"schema">["name"] | "pii" | "required" | "labels" | "duplicates">(result: CheckResult, name: N) {
  return result.checks.find((c) => c.name === name) as CheckEntryOf<N>;
}

describe("hostile and broken input", () => {
  it("reports a line over maxLineBytes without holding it, and numbers the lines after it right", async () => {
    const huge = `{"text": "${"x".repeat(5 * 1024 * 1024)}"}`;
    const dir = await writeFiles(await tempDir(), { "d.jsonl": `{"q": "first"}\n${huge}\n{"q": "mail a@example.com"}\n` });
    const result = await checkDataset({ path: dir, logger, config: { maxLineBytes: 4096 } });
    const schema = check(result, "schema");
    expect(schema.violations).toEqual([{ file: "d.jsonl", line: 2, kind: "too-long", message: "line longer than 4096 bytes; not read" }]);
    expect(check(result, "pii").locations).toMatchObject([{ line: 3, kind: "email" }]);
    expect(result.rows).toBe(3);
    expect(result.cases).toBe(2);
  });

  it("reports bytes that are not UTF-8 with their line, in JSONL and in whole-file formats", async () => {
    const bad = Buffer.concat([Buffer.from('{"q": "caf'), Buffer.from([0xe9, 0xff]), Buffer.from('"}\n')]);
    const csv = Buffer.concat([Buffer.from("q,expected\nok,1\n"), Buffer.from([0xc3, 0x28]), Buffer.from(",2\n")]);
    const dir = await writeFiles(await tempDir(), { "a.jsonl": Buffer.concat([Buffer.from('{"q": "fine"}\n'), bad]), "b.csv": csv });
    const result = await checkDataset({ path: dir, logger });
    const encoding = check(result, "schema").violations.filter((v) => v.kind === "encoding");
    expect(encoding.map((v) => `${v.file}:${v.line}`)).toEqual(["a.jsonl:2", "b.csv:3"]);
  });

  it("never lets __proto__ keys touch prototypes, and still scans and redacts what they hold", async () => {
    const root = await tempDir();
    const dir = await writeFiles(join(root, "d"), {
      "d.jsonl": jsonl([]) + '{"__proto__": {"polluted": "yes", "mail": "p@example.com"}, "constructor": "x", "q": "hi"}\n',
    });
    const result = await checkDataset({
      path: dir,
      logger,
      redactTo: join(root, "redacted"),
      config: { fields: ["constructor", "toString"], labels: { field: "__proto__.polluted", values: ["yes"] } },
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(check(result, "pii").locations).toMatchObject([{ line: 2, field: "__proto__.mail", kind: "email" }]);
    const redacted = await readFile(join(root, "redacted", "d.jsonl"), "utf8");
    expect(JSON.parse(redacted.split("\n")[1]!)).toEqual(
      JSON.parse('{"__proto__": {"polluted": "yes", "mail": "<EMAIL>"}, "constructor": "x", "q": "hi"}'),
    );
    // `toString` is not a field of the row: own properties only.
    expect(result.distributions.chars.max).toBe(1);
  });

  it("reports JSON nested past the limit instead of overflowing the stack", async () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const dir = await writeFiles(await tempDir(), { "d.jsonl": `{"a": ${deep}}\n{"q": "after"}\n` });
    const result = await checkDataset({ path: dir, logger });
    expect(check(result, "schema").violations).toMatchObject([{ line: 1, kind: "too-deep" }]);
    expect(result.cases).toBe(1);
  });

  it("does not quote a line that is not JSON (it may hold personal data)", async () => {
    const dir = await writeFiles(await tempDir(), { "d.jsonl": "john.doe@example.com, 4111 1111 1111 1111\n" });
    const result = await checkDataset({ path: dir, logger });
    const text = JSON.stringify(result);
    expect(text).not.toContain("john");
    expect(text).not.toContain("4111 1111");
    expect(check(result, "pii").kinds).toEqual({ email: 1, "credit-card": 1 });
  });

  it("masks personal data in ids, field names and file names of the report", async () => {
    const dir = await writeFiles(await tempDir(), {
      "users/jane@example.com.jsonl": jsonl([{ id: "jane.roe@example.org", "x@example.net": "call +1 202 555 0143" }]),
    });
    const result = await checkDataset({ path: dir, logger });
    const text = JSON.stringify(result);
    for (const secret of ["jane@", "jane.roe", "x@example", "555 0143"]) expect(text).not.toContain(secret);
    expect(check(result, "pii").locations[0]).toMatchObject({ file: "users/<EMAIL>", id: "<EMAIL>" }); // `.jsonl` reads as part of the address
  });

  it("reads CSV, YAML and JSON case files, with their lines", async () => {
    const dir = await writeFiles(await tempDir(), {
      "a.csv": "question,expected\nhello,yes\nmail me at a@example.com,no\n",
      "b.yaml": "- question: first\n  expected: yes\n- question: reach 192.168.0.7\n  expected: no\n",
      "c.json": '[{"question": "from json", "expected": "maybe"}]',
      "notes.txt": "not a case file",
    });
    const result = await checkDataset({ path: dir, logger });
    expect(result.files.map((f) => [f.path, f.format, f.rows])).toEqual([
      ["a.csv", "csv", 2],
      ["b.yaml", "yaml", 2],
      ["c.json", "json", 1],
    ]);
    expect(result.skippedFiles).toEqual([{ path: "notes.txt", reason: "not a case file (.jsonl, .ndjson, .json, .csv, .yaml, .yml)" }]);
    expect(check(result, "pii").locations.map((l) => `${l.file}:${l.line}:${l.kind}`)).toEqual(["a.csv:3:email", "b.yaml:3:ip-address"]);
    expect(result.distributions.label).toEqual({
      field: "expected",
      values: [
        { value: "no", count: 2 },
        { value: "yes", count: 2 },
        { value: "maybe", count: 1 },
      ],
      other: 0,
      missing: 0,
    });
  });

  it("reports a whole file that does not parse as one problem, at its line", async () => {
    const dir = await writeFiles(await tempDir(), { "bad.yaml": "- q: one\n- q: [unclosed\n", "ok.jsonl": jsonl([{ q: "x" }]) });
    const result = await checkDataset({ path: dir, logger });
    expect(check(result, "schema").violations).toMatchObject([{ file: "bad.yaml", kind: "unreadable-file" }]);
  });

  it("exits 2 (InputError) for what is wrong with the input itself", async () => {
    const root = await tempDir();
    await expect(checkDataset({ path: join(root, "missing"), logger })).rejects.toMatchObject({ exitCode: 2 });
    const empty = await writeFiles(join(root, "e"), { "readme.md": "# hi" });
    await expect(checkDataset({ path: empty, logger })).rejects.toBeInstanceOf(NoCaseFilesError);
    const ok = await writeFiles(join(root, "ok"), { "d.jsonl": jsonl([{ q: "x" }]) });
    await expect(checkDataset({ path: ok, logger, config: { schema: { file: join(root, "nope.json") } } })).rejects.toBeInstanceOf(
      JsonSchemaFileError,
    );
    // if/then (written as text: an object literal with a `then` key reads as a thenable) is beyond zod.
    await writeFiles(root, { "cond.json": '{"if": {"type": "object"}, "then": {"required": ["q"]}}' });
    await expect(checkDataset({ path: ok, logger, config: { schema: { file: join(root, "cond.json") } } })).rejects.toThrow(
      /checks\.schema .*cond\.json: expected a JSON Schema zod can apply/,
    );
    await expect(checkDataset({ path: ok, logger, config: { duplicates: { threshold: 2 } } as never })).rejects.toThrow(
      /^checks\.duplicates\.threshold: /,
    );
    // Nothing left behind in the temp dir given.
    const scratch = await tempDir();
    await expect(checkDataset({ path: join(root, "missing"), logger, tempDir: scratch })).rejects.toMatchObject({ exitCode: 2 });
    expect(await readdir(scratch)).toEqual([]);
  });
});

describe("schema, required fields and labels", () => {
  it("validates rows against a JSON Schema file", async () => {
    const root = await tempDir();
    await writeFiles(root, {
      "schema.json": JSON.stringify({
        type: "object",
        properties: { question: { type: "string", minLength: 3 }, label: { enum: ["pos", "neg"] } },
        required: ["question", "label"],
      }),
    });
    const dir = await writeFiles(join(root, "d"), {
      "d.jsonl": jsonl([
        { question: "fine?", label: "pos" },
        { question: "no", label: "pos" },
        { question: "missing label" },
        { question: "odd", label: "meh" },
      ]),
    });
    const result = await checkDataset({ path: dir, logger, configDir: root, config: { schema: "schema.json" } });
    const schema = check(result, "schema");
    expect(schema.mode).toBe("json-schema");
    expect(schema.violations.map((v) => [v.line, v.field])).toEqual([
      [2, "question"],
      [3, "label"],
      [4, "label"],
    ]);
    expect(result.passed).toBe(false);
  });

  it("checks required fields and the label set, and counts the labels", async () => {
    const dir = await writeFiles(await tempDir(), {
      "d.jsonl": jsonl([
        { question: "a", label: "pos" },
        { question: " ", label: "neg" },
        { label: "pos" },
        { question: "b", label: "maybe" },
        { question: "c" },
        { question: "d", label: { nested: true } },
      ]),
    });
    const result = await checkDataset({
      path: dir,
      logger,
      config: { required: ["question"], labels: { field: "label", values: ["pos", "neg"], severity: "warn" } },
    });
    expect(check(result, "required").violations.map((v) => v.line)).toEqual([2, 3]);
    expect(check(result, "labels").violations.map((v) => [v.line, v.message])).toEqual([
      [4, '"maybe" is not an allowed label'],
      [5, "expected a label; the case has none"],
      [6, "expected a label (a string, number or boolean); got an object or array"],
    ]);
    expect(result.reasons).toEqual(["required: 2 missing values (max 0; missing 2)"]);
    expect(result.distributions.label).toEqual({
      field: "label",
      values: [
        { value: "pos", count: 2 },
        { value: "(not a scalar)", count: 1 },
        { value: "maybe", count: 1 },
        { value: "neg", count: 1 },
      ],
      other: 0,
      missing: 1,
    });
  });

  it("reports rows that break eval's case schema", async () => {
    const dir = await writeFiles(await tempDir(), { "d.jsonl": jsonl([{ q: "ok" }, { q: "x", tags: "not-an-object" }, [1, 2]]) });
    const result = await checkDataset({ path: dir, logger });
    expect(check(result, "schema").violations.map((v) => [v.line, v.kind])).toEqual([
      [2, "case"],
      [3, "not-an-object"],
    ]);
  });
});

describe("a dataset at the project root", () => {
  it("does not take llmops.yaml or package.json for case files unless checks.files names them", async () => {
    const dir = await writeFiles(await tempDir(), {
      "llmops.yaml": "artifacts:\n  d: { kind: dataset, path: . }\n",
      "package.json": '{"name": "x"}',
      "cases.jsonl": jsonl([{ vars: { q: "what is two plus two" }, expected: "four" }]),
    });
    const result = await checkDataset({ path: dir, logger });
    expect(result.passed).toBe(true);
    expect(result.files.map((f) => f.path)).toEqual(["cases.jsonl"]);
  });

  describe("paths llmops.yaml names stay inside its directory (a pull request can edit it)", () => {
    async function project() {
      const root = await tempDir();
      const outside = await writeFiles(join(root, "outside"), {
        "secret.jsonl": jsonl([{ id: "SECRET-ID-42", q: "the launch code is 1234 5678 and so on" }]),
      });
      const repo = await writeFiles(join(root, "repo"), {
        "data/d.jsonl": jsonl([{ id: "a", q: "the launch code is 1234 5678 and so on" }]),
      });
      return { root, outside, repo };
    }
    const run = (repo: string, checks: Record<string, unknown>) =>
      runCheck({
        target: join(repo, "data"),
        artifact: "acme/d",
        loaded: {
          config: { artifacts: { "acme/d": { kind: "dataset", path: "data", checks } } } as never,
          dir: repo,
        },
        openStore: () => {
          throw new Error("no store");
        },
        cwd: repo,
        logger,
      });

    it("refuses a configured contamination directory outside, by absolute path, by .. and by a symbolic link", async () => {
      const { outside, repo } = await project();
      await symlink(outside, join(repo, "link"));
      for (const against of [outside, "../outside", "link"]) {
        const error = await run(repo, { contamination: { against: [against] } }).catch((e: unknown) => e);
        expect(error, against).toBeInstanceOf(InputError);
        expect((error as Error).message, against).toMatch(/^checks\.contamination\.against ".*" (is absolute|leads outside|resolves to)/);
        expect((error as Error).message).not.toContain("SECRET-ID");
      }
      // Inside the directory it is read as before.
      await writeFiles(join(repo, "eval"), { "e.jsonl": jsonl([{ id: "e", q: "the launch code is 1234 5678 and so on" }]) });
      const { result } = await run(repo, { contamination: { against: ["eval"] }, pii: { severity: "off" } });
      expect(result.checks.find((c) => c.name === "contamination")?.findings).toBe(1);
    });

    it("refuses a JSON Schema file outside, and never quotes a schema file that is not JSON", async () => {
      const { outside, repo } = await project();
      await writeFiles(outside, { "env.json": "INPUT_STORE_PASSWORD=hunter2" });
      const error = await run(repo, { schema: { file: join(outside, "env.json") } }).catch((e: unknown) => e);
      expect((error as Error).message).toMatch(/^checks\.schema\.file ".*" is absolute/);
      await writeFiles(repo, { "schema.json": "INPUT_STORE_PASSWORD=hunter2" });
      const notJson = await run(repo, { schema: { file: "schema.json" } }).catch((e: unknown) => e);
      expect(notJson).toBeInstanceOf(JsonSchemaFileError);
      expect((notJson as Error).message).toMatch(/expected a JSON Schema \(JSON\); not valid JSON$/);
      expect((notJson as Error).message).not.toMatch(/INPUT|hunter/);
    });
  });
});
