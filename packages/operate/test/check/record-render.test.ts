import { join } from "node:path";
import { CHECK_ARTIFACT_TYPE, recordingLogger } from "@llmops/core";
import { openStore } from "@llmops/store";
import { describe, expect, it } from "vitest";
import { checkDataset, describeCheckResult, readCheckRecords, recordCheck, renderCheckMarkdown } from "../../src/index.ts";
import { jsonl, logger, tempDir, writeFiles } from "./helpers.ts";

describe("check records", () => {
  it("round-trips through the store and skips records that do not parse", async () => {
    const root = await tempDir();
    const data = await writeFiles(join(root, "data"), { "d.jsonl": jsonl([{ q: "hello" }, { q: "hello" }]) });
    const store = openStore(join(root, "store"), { logger: recordingLogger(), cwd: root, cacheDir: join(root, "cache") });
    const made = await store.version({ path: data, name: "acme/data", kind: "dataset", created: "2026-01-01T00:00:00Z" });
    const version = await store.resolve(made.ref);
    const result = await checkDataset({ path: data, logger, subject: { ref: made.ref, name: version.name, digest: version.digest } });
    const digest = await recordCheck(store, version, result);
    // A foreign record of the same type: not a check result.
    await store.attachEvidence(version, {
      artifactType: CHECK_ARTIFACT_TYPE,
      files: [{ title: "check.json", mediaType: "application/json", data: new TextEncoder().encode('{"schemaVersion": 2}') }],
      annotations: { "org.opencontainers.image.created": "2030-01-01T00:00:00Z" },
    });
    const debug = recordingLogger();
    const records = await readCheckRecords(store, version, { logger: debug });
    expect(records).toEqual([{ digest, result }]);
    expect(debug.lines.some((l) => l.level === "debug" && /skipped/.test(l.message))).toBe(true);
  });
});

describe("rendering", () => {
  it("escapes what came from the dataset in Markdown and keeps Mermaid labels to a safe alphabet", async () => {
    const dir = await writeFiles(await tempDir(), {
      "d.jsonl": jsonl([
        { id: "x | y <img src=x> @someone #1", label: "pos] --> evil\n```", q: "a" },
        { id: "z", label: "neg", q: "b" },
      ]),
    });
    const result = await checkDataset({
      path: dir,
      logger,
      config: { labels: { field: "label", values: ["pos", "neg"] }, required: ["missing"] },
    });
    const markdown = renderCheckMarkdown(result);
    // Inside code spans GitHub shows text as written (no HTML, no mentions); everywhere else it is escaped.
    const outsideCode = markdown.replace(/`[^`\n]*`/g, "");
    expect(outsideCode).not.toContain("<img");
    expect(outsideCode).not.toMatch(/@someone/);
    expect(outsideCode).toContain("pos\\] --&gt; evil");
    const mermaid = markdown.slice(markdown.indexOf("pie title"));
    expect(mermaid).toContain('"pos_ --_ evil ___" : 1');
    expect(mermaid.split("```")[0]).not.toMatch(/<|\||\]/);
    // The violation table keeps one row per violation: no cell was split by a `|` from the data.
    const rows = markdown.split("\n").filter((l) => l.startsWith("| `d.jsonl:"));
    for (const row of rows) expect(row.split(/(?<!\\)\|/).length).toBe(6);
  });

  it("describes a result for the terminal without control characters", async () => {
    const dir = await writeFiles(await tempDir(), { "d.jsonl": jsonl([{ id: "\u001b[31mred\u001b[0m", q: "mail a@example.com" }]) });
    const text = describeCheckResult(await checkDataset({ path: dir, logger }));
    expect(text).not.toContain("\u001b");
    expect(text).toContain("pii           FAIL  1 found (max 0, error): email 1");
  });
});
