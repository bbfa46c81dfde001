import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHECK_ARTIFACT_TYPE, recordingLogger } from "@llmops/core";
import { checkResultSchema, readCheckRecords } from "@llmops/operate";
import { openStore } from "@llmops/store";
import { afterEach, describe, expect, it } from "vitest";
import { checkCommand } from "../src/commands/check.ts";
import { runMain } from "./helpers.ts";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function workspace(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "llmops-cli-check-"));
  dirs.push(dir);
  return dir;
}

async function write(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, ".."), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

const jsonl = (rows: unknown[]) => `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`;

function check(args: string[], cwd: string) {
  return runMain(["check", ...args], { cwd, env: { LLMOPS_CACHE_DIR: join(cwd, ".cache") }, commands: [checkCommand] });
}

describe("llmops check", () => {
  it("exits 0 on a clean dataset and prints the report", async () => {
    const cwd = await workspace();
    await write(cwd, {
      "data/train.jsonl": jsonl([
        { question: "What is two plus two?", expected: "4" },
        { question: "Name a colour.", expected: "red" },
      ]),
    });
    const { code, stdout, stderr } = await check(["data"], cwd);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^data: passed\n {2}2 cases in 2 rows of 1 file\n {2}schema {8}ok/);
  });

  it("exits 1 when a gate fails, with the reasons, and --json is one document of the result schema", async () => {
    const cwd = await workspace();
    await write(cwd, { "data/train.jsonl": jsonl([{ question: "mail me: jane@example.com" }]) });
    const text = await check(["data"], cwd);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain("pii: 1 personal data or secrets (max 0; email 1)");
    expect(text.stdout).not.toContain("jane@");
    const json = await check(["data", "--json"], cwd);
    expect(json.code).toBe(1);
    const result = checkResultSchema.parse(JSON.parse(json.stdout));
    expect(result.passed).toBe(false);
    expect(result.reasons).toEqual(["pii: 1 personal data or secrets (max 0; email 1)"]);
  });

  it("exits 2 for bad usage and bad input, with one line naming the problem", async () => {
    const cwd = await workspace();
    await write(cwd, {
      "data/d.jsonl": jsonl([{ q: "x" }]),
      "bad.yaml": "artifacts:\n  acme/train:\n    kind: dataset\n    path: data\n    checks:\n      duplicates: { threshold: 3 }\n",
    });
    const cases: [string[], RegExp][] = [
      [[], /^llmops check: expected <REF\|DIR>/],
      [["missing-dir"], /^llmops check: missing-dir: no such file or directory, and not a ref/],
      [["data", "--record"], /^llmops check: --record needs a dataset version/],
      [["data", "--config", "bad.yaml"], /^llmops check: .*bad\.yaml:6:\d+: artifacts\.acme\/train\.checks\.duplicates\.threshold: /],
      [["data", "--against", "nope:v1", "--store", "store"], /^llmops check: .*nope/],
      [["data", "--write-redacted", "data"], /^llmops check: redacted copy .*data: expected a new or empty directory/],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await check(args, cwd);
      expect(code, args.join(" ")).toBe(2);
      expect(stderr.split("\n")[0], args.join(" ")).toMatch(message);
    }
  });

  it("uses the artifact's checks from llmops.yaml, and writes the Markdown report", async () => {
    const cwd = await workspace();
    await write(cwd, {
      "llmops.yaml": [
        "artifacts:",
        "  acme/train:",
        "    kind: dataset",
        "    path: data",
        "    checks:",
        "      required: [question]",
        "      labels: { field: expected, values: [yes, no] }",
        "      pii: { severity: warn }",
        "",
      ].join("\n"),
      "data/d.jsonl": jsonl([{ question: "ok?", expected: "yes" }, { expected: "no" }, { question: "mail a@example.com", expected: "no" }]),
    });
    const { code, stdout } = await check(["data", "--markdown", "report.md", "--json"], cwd);
    expect(code).toBe(1);
    const result = checkResultSchema.parse(JSON.parse(stdout));
    expect(result.dataset.name).toBe("acme/train");
    expect(result.reasons).toEqual(["required: 1 missing values (max 0; missing 1)"]);
    const markdown = await readFile(join(cwd, "report.md"), "utf8");
    expect(markdown).toContain("### Dataset check: data ❌ failed");
    expect(markdown).toContain("| pii | 1 (email 1) | 0 | warn | ⚠️ warn |");
    expect(markdown).toContain('pie title Labels: expected\n    "no" : 2\n    "yes" : 1');
    expect(markdown).not.toContain("a@example.com");
  });

  it("checks a version from the store against another, and --record attaches a check referrer read back intact", async () => {
    const cwd = await workspace();
    const question = "what is the boiling point of water at sea level in degrees celsius on a normal day";
    await write(cwd, {
      "train/t.jsonl": jsonl([{ text: `training text that quotes ${question} verbatim` }, { text: "unrelated" }]),
      "eval/e.jsonl": jsonl([{ question, expected: "100" }]),
    });
    const logger = recordingLogger();
    const store = openStore(join(cwd, "store"), { logger, cwd, cacheDir: join(cwd, ".cache") });
    await store.version({ path: join(cwd, "train"), name: "acme/train", kind: "dataset", created: "2026-01-01T00:00:00Z" });
    await store.version({ path: join(cwd, "eval"), name: "acme/eval", kind: "dataset", created: "2026-01-01T00:00:00Z" });

    const { code, stdout, stderr } = await check(
      ["acme/train:v1", "--against", "acme/eval:v1", "--store", "store", "--record", "--json"],
      cwd,
    );
    expect(stderr).toContain(`recorded check sha256:`);
    expect(code).toBe(1);
    const printed = checkResultSchema.parse(JSON.parse(stdout));
    const version = await store.resolve("acme/train:v1");
    expect(printed.dataset).toEqual({ ref: "acme/train:v1", name: "acme/train", digest: version.digest, version: "v1" });
    const contamination = printed.checks.find((c) => c.name === "contamination");
    expect(contamination).toMatchObject({ findings: 1, against: [{ ref: "acme/eval:v1", contaminated: 1 }] });

    const listed = await store.listEvidence(version, CHECK_ARTIFACT_TYPE);
    expect(listed.map((e) => [e.digest, e.annotations["dev.llmops.check.passed"]])).toEqual([[printed.record, "false"]]);
    const records = await readCheckRecords(store, version, { logger });
    const { record, ...withoutRecord } = printed;
    expect(records).toEqual([{ digest: record, result: withoutRecord }]);
  });
});
