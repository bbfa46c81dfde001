// `llmops feedback ingest` through the CLI's own entry (argument parsing, --json, exit codes).
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFeedbackCommand, feedbackCommand } from "../../../cli/src/commands/feedback.ts";
import { main } from "../../../cli/src/main.ts";
import { feedbackIngestResultSchema } from "../../src/feedback/result.ts";
import { jsonl, streamOf, type Workspace, workspace } from "./helpers.ts";

let ws: Workspace;
let chat: string;
beforeEach(async () => {
  ws = await workspace();
  chat = await ws.model("acme/chat", "weights");
});
afterEach(async () => {
  await ws.cleanup();
});

function sink(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  return {
    stream: new Writable({
      write(chunk, _encoding, callback) {
        chunks.push(Buffer.from(chunk));
        callback();
      },
    }),
    text: () => Buffer.concat(chunks).toString("utf8"),
  };
}

async function llmops(argv: string[], command = feedbackCommand): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = sink();
  const stderr = sink();
  const env = { LLMOPS_CACHE_DIR: join(ws.dir, "cache"), SOURCE_DATE_EPOCH: "1748736000" };
  const code = await main(argv, { stdout: stdout.stream, stderr: stderr.stream, cwd: ws.dir, env, commands: [command] });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe("llmops feedback ingest", () => {
  it("ingests a file and prints one JSON document (exit 0), bad lines included", async () => {
    await writeFile(
      join(ws.dir, "feedback.jsonl"),
      jsonl({ requestId: "r1", input: "q", output: "o", model: chat, rating: "bad", correction: "a" }, "oops"),
    );
    const result = await llmops(["feedback", "ingest", "feedback.jsonl", "--dataset", "acme/reviews", "--store", ws.storeDir, "--json"]);
    expect(result.stderr).toContain("acme/reviews:v1");
    expect(result.code).toBe(0);
    const parsed = feedbackIngestResultSchema.parse(JSON.parse(result.stdout));
    expect(parsed).toMatchObject({
      version: { ref: "acme/reviews:v1" },
      counts: { read: 2, added: 1, bad: { total: 1 } },
      badLines: [{ line: 2, reason: "invalid-json" }],
      redacted: true,
    });
  });

  it("reads stdin for -, and says what it did for people", async () => {
    const command = createFeedbackCommand({
      stdin: () => streamOf(jsonl({ requestId: "r1", input: "q", output: "o", model: chat, rating: "good", consent: true }, "oops")),
    });
    const result = await llmops(
      [
        "feedback",
        "ingest",
        "-",
        "--dataset",
        "acme/reviews",
        "--store",
        ws.storeDir,
        "--require-consent",
        "--no-redact",
        "--file",
        "fb.jsonl",
      ],
      command,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^acme\/reviews:v1 {2}sha256:[0-9a-f]{64}\n/);
    expect(result.stdout).toContain("  2 events: 1 new cases, 0 duplicates (0 by request id, 0 by content), 1 bad\n");
    expect(result.stdout).toContain("    line 2: invalid-json: expected one JSON object per line\n");
    expect(result.stdout).toContain("  not redacted (--no-redact)\n");
    expect(result.stdout).toContain(`  parent ${chat} ${chat.split("@")[1]}\n`);
    expect((await ws.cases("acme/reviews:latest", "fb.jsonl")).map((c) => c.id)).toEqual(["fb:r1"]);
  });

  it("exits 2 with one line when every event is bad", async () => {
    await writeFile(join(ws.dir, "bad.jsonl"), "nope\n[]\n");
    const result = await llmops(["feedback", "ingest", "bad.jsonl", "--dataset", "acme/reviews", "--store", ws.storeDir, "--json"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      "llmops feedback ingest: feedback bad.jsonl: all 2 events are bad (1 invalid-json, 1 not-an-object); first: line 1: expected one JSON object per line\n",
    );
  });

  it.each([
    [["feedback", "ingest", "--dataset", "d"], "expected <FILE> (a JSONL file of feedback events) or - for stdin"],
    [["feedback", "ingest", "f.jsonl"], "missing --dataset (the dataset to add the cases to)"],
    [["feedback", "ingest", "f.jsonl", "g.jsonl", "--dataset", "d"], "unexpected argument g.jsonl"],
    [["feedback", "ingest", "f.jsonl", "--dataset", "d", "--created", "soon"], "--created soon: expected an ISO timestamp"],
    [["feedback"], "expected a subcommand: ingest"],
    [["feedback", "digest"], 'unknown subcommand "digest"; expected ingest'],
  ])("exits 2 on %j", async (argv, message) => {
    const result = await llmops(argv);
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe(`llmops ${argv[1] === "ingest" ? "feedback ingest" : "feedback"}: ${message}`);
  });

  it("exits 2 naming a missing file", async () => {
    const result = await llmops(["feedback", "ingest", "missing.jsonl", "--dataset", "acme/reviews", "--store", ws.storeDir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("llmops feedback ingest: feedback file missing.jsonl: does not exist\n");
  });
});
