import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { silentLogger } from "@llmops/core";
import { evaluate } from "@llmops/eval";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DatasetMovedError, FeedbackRejectedError } from "../../src/feedback/errors.ts";
import { ingestFeedback } from "../../src/feedback/ingest.ts";
import { feedbackIngestResultSchema } from "../../src/feedback/result.ts";
import { jsonl, streamOf, versionConfig, type Workspace, workspace } from "./helpers.ts";

let ws: Workspace;
let chat: string;
let chatV2: string;
beforeEach(async () => {
  ws = await workspace();
  chat = await ws.model("acme/chat", "weights v1");
  chatV2 = await ws.model("acme/chat", "weights v2");
});
afterEach(async () => {
  await ws.cleanup();
});

const CREATED = "2025-06-01T00:00:00.000Z";
const ingest = (events: string, options: Partial<Parameters<typeof ingestFeedback>[0]> = {}) =>
  ingestFeedback({
    store: ws.store,
    dataset: "acme/reviews",
    events: streamOf(events),
    created: CREATED,
    logger: silentLogger,
    ...options,
  });

describe("feedback ingest: a first version", () => {
  it("turns events into cases (id, vars, expected, tags, metadata), moves latest, records the models as parents", async () => {
    const result = await ingest(
      jsonl(
        { requestId: "req-1", input: "What is 2+2?", output: "5", model: chat, rating: "bad", correction: "4", tags: { lang: "en" } },
        { requestId: "req-2", input: { question: "Capital of France?", lang: "en" }, output: "Paris", model: chatV2, rating: "good" },
        { requestId: "req-3", input: "Hallo", output: "Hi", model: chat, correction: "Hallo!", timestamp: "2025-05-31T12:00:00Z" },
      ),
    );
    expect(feedbackIngestResultSchema.parse(result)).toEqual(result);
    expect(result.version?.ref).toBe("acme/reviews:v1");
    expect(result.previous).toBeNull();
    expect(result.counts).toMatchObject({ read: 3, added: 3, carried: 0, bad: { total: 0 }, duplicates: { total: 0 } });

    expect(await ws.cases("acme/reviews:latest")).toEqual([
      {
        id: "fb:req-1",
        vars: { input: "What is 2+2?" },
        expected: "4",
        tags: { rating: "bad", lang: "en" },
        metadata: { source: "feedback", model: chat, output: "5" },
      },
      {
        id: "fb:req-2",
        vars: { question: "Capital of France?", lang: "en" },
        tags: { rating: "good" },
        metadata: { source: "feedback", model: chatV2, output: "Paris" },
      },
      {
        id: "fb:req-3",
        vars: { input: "Hallo" },
        expected: "Hallo!",
        tags: {},
        metadata: { source: "feedback", model: chat, output: "Hi", timestamp: "2025-05-31T12:00:00Z" },
      },
    ]);

    // Lineage, as the store recorded it: the two model versions, sorted, nothing else.
    const config = await versionConfig(ws.store, "acme/reviews", result.version!.digest);
    expect(config).toMatchObject({ kind: "dataset", name: "acme/reviews", created: CREATED });
    const digests = [chat, chatV2].map((ref) => ref.split("@")[1]!);
    expect((config.parents as { digest: string }[]).map((p) => p.digest).sort()).toEqual([...digests].sort());
    expect(result.parents.map((p) => p.digest).sort()).toEqual([...digests].sort());
    expect(await ws.store.list("acme/reviews")).toEqual([expect.objectContaining({ version: "v1", aliases: ["latest"] })]);
  });

  it("writes nothing when no event adds a case, and says so", async () => {
    expect(await ingest("")).toMatchObject({ version: null, counts: { read: 0, added: 0 } });
    expect(await ingest("\n\n  \n")).toMatchObject({ version: null, counts: { read: 0 } });
    expect(await ws.store.list("acme/reviews")).toEqual([]);
  });
});

describe("feedback ingest: on top of the previous version", () => {
  it("carries the previous cases and files, drops duplicates by request id and by normalized input and expected", async () => {
    const previousCases = jsonl(
      { id: "greeting", vars: { input: "Hello there" }, expected: "Hi!" },
      { id: "fb:req-1", vars: { input: "old" }, expected: "old answer", tags: { rating: "bad" } },
      { question: "flat row", expected: "yes" },
    );
    const v1 = await ws.dataset("acme/reviews", { "cases.jsonl": previousCases, "README.md": "about the data\n" });
    const result = await ingest(
      jsonl(
        // Same request id as a carried case.
        { requestId: "req-1", input: "something new", output: "x", model: chat, rating: "bad", correction: "y" },
        // Same input and expected as the hand-written case, up to case and spacing.
        { requestId: "req-2", input: "  hello   THERE ", output: "Hey", model: chat, rating: "bad", correction: "hi!" },
        { requestId: "req-3", input: "new question", output: "a", model: chatV2, rating: "good" },
        // Twice in this file: by request id, and by content under another id.
        { requestId: "req-3", input: "other", output: "b", model: chat, rating: "good" },
        { requestId: "req-4", input: "New Question", output: "c", model: chat, rating: "bad" },
      ),
    );
    expect(result.previous).toEqual({ ref: "acme/reviews:v1", digest: v1 });
    expect(result.version?.ref).toBe("acme/reviews:v2");
    expect(result.counts).toMatchObject({ read: 5, added: 1, carried: 3, duplicates: { total: 4, requestId: 2, content: 2 } });

    const cases = await ws.cases("acme/reviews:latest");
    // The carried lines are the same rows (byte for byte), then the one new case.
    expect(cases.slice(0, 3)).toEqual(
      previousCases
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l)),
    );
    expect(cases.slice(3)).toEqual([
      {
        id: "fb:req-3",
        vars: { input: "new question" },
        tags: { rating: "good" },
        metadata: { source: "feedback", model: chatV2, output: "a" },
      },
    ]);
    const out = join(ws.dir, "v2");
    await ws.store.fetch("acme/reviews:v2", out);
    expect(await readFile(join(out, "README.md"), "utf8")).toBe("about the data\n");

    // Parents: the previous version first, then only the model whose output is in a new case.
    const config = await versionConfig(ws.store, "acme/reviews", result.version!.digest);
    expect((config.parents as { digest: string }[]).map((p) => p.digest)).toEqual([v1, chatV2.split("@")[1]]);
    expect(result.parents).toEqual([
      { ref: `acme/reviews@${v1}`, digest: v1 },
      { ref: chatV2, digest: chatV2.split("@")[1] },
    ]);
  });

  it("writes the cases file where --file says, beside the others", async () => {
    await ws.dataset("acme/reviews", { "train.jsonl": '{"text":"t"}\n' });
    const result = await ingest(jsonl({ requestId: "r1", input: "q", output: "o", model: chat, rating: "good" }), {
      file: "eval/feedback.jsonl",
    });
    expect(result).toMatchObject({ file: "eval/feedback.jsonl", counts: { added: 1, carried: 0 } });
    expect(await ws.cases("acme/reviews:latest", "eval/feedback.jsonl")).toHaveLength(1);
    expect(await ws.cases("acme/reviews:latest", "train.jsonl")).toEqual([{ text: "t" }]);
  });

  it("refuses a previous cases file with a row eval would refuse, naming its line", async () => {
    await ws.dataset("acme/reviews", { "cases.jsonl": jsonl({ id: "a", vars: { q: "x" } }, "not json") });
    await expect(ingest(jsonl({ requestId: "r1", input: "q", output: "o", model: chat, rating: "good" }))).rejects.toThrow(
      /acme\/reviews:v1\/cases\.jsonl:2: expected one JSON case per line/,
    );
    expect((await ws.store.list("acme/reviews")).map((v) => v.version)).toEqual(["v1"]);
  });

  it("refuses a dataset name that holds a model", async () => {
    await expect(ingest("", { dataset: "acme/chat" })).rejects.toThrow(
      "dataset acme/chat:v2: is a model version of acme/chat; expected a dataset named acme/chat",
    );
    await ws.store.tag(chat, "latest");
    await expect(ingest("", { dataset: "acme/chat" })).rejects.toThrow("dataset acme/chat:latest: is a model version of acme/chat");
  });

  it("extends the newest version when the dataset has versions but no latest yet, and creates latest", async () => {
    await ws.dataset("acme/reviews", { "cases.jsonl": jsonl({ id: "one", vars: { q: "1" } }) }, []);
    const v2 = await ws.dataset("acme/reviews", { "cases.jsonl": jsonl({ id: "two", vars: { q: "2" } }) }, []);
    const result = await ingest(jsonl({ requestId: "r", input: "q", output: "o", model: chat, rating: "good" }));
    expect(result.previous).toEqual({ ref: "acme/reviews:v2", digest: v2 });
    expect((await ws.cases("acme/reviews:latest")).map((c) => c.id)).toEqual(["two", "fb:r"]);
  });
});

describe("feedback ingest: the next eval picks the cases up", () => {
  it("a suite with casesFrom { dataset: NAME:latest } runs the new cases, sliced by rating, pinned to the new digest", async () => {
    await ws.dataset("acme/reviews", { "cases.jsonl": jsonl({ id: "seed", vars: { input: "seed question" }, expected: "seed question" }) });
    const result = await ingest(
      jsonl(
        { requestId: "r1", input: "echo me", output: "nope", model: chat, rating: "bad", correction: "echo me" },
        { requestId: "r2", input: "and me", output: "and me", model: chat, rating: "good", correction: "and me" },
      ),
    );
    await writeFile(join(ws.dir, "echo.mjs"), "export default ({ vars }) => String(vars.input);\n");
    await writeFile(
      join(ws.dir, "llmops.yaml"),
      [
        `store: ${ws.storeDir}`,
        "suites:",
        "  - name: feedback",
        "    provider: { type: module, path: echo.mjs }",
        '    prompt: "{{input}}"',
        "    casesFrom: { dataset: acme/reviews:latest, file: cases.jsonl }",
        "    scorers: [{ type: equals }]",
        "    slices: [rating]",
        "",
      ].join("\n"),
    );
    const { openStore } = await import("@llmops/store");
    const evaluated = await evaluate({
      cwd: ws.dir,
      env: {},
      logger: silentLogger,
      cache: false,
      openStore: (candidates) =>
        openStore(candidates.config ?? candidates.input!, { logger: silentLogger, cacheDir: join(ws.dir, "cache") }),
    });
    const summary = evaluated.suites[0]!.summary;
    expect(summary.dataset).toEqual({ ref: "acme/reviews:latest", digest: result.version!.digest });
    expect(summary.cases).toBe(3);
    expect(evaluated.passed).toBe(true);
    const rows = (await readFile(evaluated.suites[0]!.resultsPath, "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { id: string; tags: Record<string, string> });
    expect(rows.map((r) => [r.id, r.tags.rating])).toEqual([
      ["seed", undefined],
      ["fb:r1", "bad"],
      ["fb:r2", "good"],
    ]);
    expect(summary.slices.map((s) => s.value).sort()).toEqual(expect.arrayContaining(["bad", "good"]));
  });
});

describe("feedback ingest: bad events are counted, listed and never stop it", () => {
  it("lists each bad line with its number and reason; blank lines count for numbering only", async () => {
    const result = await ingest(
      jsonl(
        { requestId: "ok-1", input: "q1", output: "o", model: chat, rating: "good" },
        "{not json",
        "",
        { requestId: "no-model", input: "q", output: "o", rating: "good" },
        { requestId: "long", input: "x".repeat(400), output: "o", model: chat, rating: "good" },
        { requestId: "forged", input: "q", output: "o", model: `acme/chat@sha256:${"0".repeat(64)}`, rating: "good" },
        { requestId: "declined", input: "q", output: "o", model: chat, rating: "good", consent: false },
        "[1,2,3]",
        { requestId: "ok-2", input: "q2", output: "o", model: chat, rating: "bad" },
      ),
      { maxLineBytes: 300 },
    );
    expect(result.counts).toMatchObject({
      read: 8,
      added: 2,
      bad: {
        total: 6,
        byReason: { "invalid-json": 1, "missing-field": 1, "too-long": 1, "unknown-model": 1, "no-consent": 1, "not-an-object": 1 },
      },
    });
    expect(result.badLines.map((b) => [b.line, b.reason])).toEqual([
      [2, "invalid-json"],
      [4, "missing-field"],
      [5, "too-long"],
      [6, "unknown-model"],
      [7, "no-consent"],
      [8, "not-an-object"],
    ]);
    expect(result.badLines[1]!.message).toMatch(/^model: missing; /);
    expect(result.unknownModels).toEqual({ total: 1, first: [`acme/chat@sha256:${"0".repeat(64)}`] });
    expect((await ws.cases("acme/reviews:latest")).map((c) => c.id)).toEqual(["fb:ok-1", "fb:ok-2"]);
  });

  it("lists at most maxBadLines and counts them all", async () => {
    const lines = Array.from({ length: 50 }, () => "garbage");
    const result = await ingest(jsonl(...lines, { requestId: "ok", input: "q", output: "o", model: chat, rating: "good" }), {
      maxBadLines: 5,
    });
    expect(result.counts.bad.total).toBe(50);
    expect(result.badLines.map((b) => b.line)).toEqual([1, 2, 3, 4, 5]);
  });

  it("refuses a file of nothing but bad events, writes nothing, leaves latest alone", async () => {
    const v1 = await ws.dataset("acme/reviews", { "cases.jsonl": jsonl({ id: "a", vars: { q: "x" } }) });
    const error = await ingest(jsonl("nope", { requestId: "r", input: "q" }, "", "[]")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FeedbackRejectedError);
    expect((error as Error).message).toBe(
      "feedback stdin: all 3 events are bad (1 invalid-json, 1 missing-field, 1 not-an-object); first: line 1: expected one JSON object per line",
    );
    expect((error as FeedbackRejectedError).exitCode).toBe(2);
    expect(await ws.store.list("acme/reviews")).toEqual([expect.objectContaining({ version: "v1", digest: v1, aliases: ["latest"] })]);
  });
});

describe("feedback ingest: consent", () => {
  const events = () =>
    jsonl(
      { requestId: "yes", input: "q1", output: "o", model: chat, rating: "good", consent: true },
      { requestId: "unsaid", input: "q2", output: "o", model: chat, rating: "good" },
      { requestId: "no", input: "q3", output: "o", model: chat, rating: "good", consent: false },
    );

  it("never ingests consent: false; takes events that say nothing unless consent is required", async () => {
    const result = await ingest(events());
    expect(result.counts).toMatchObject({ added: 2, bad: { total: 1, byReason: { "no-consent": 1 } } });
    expect(result.badLines).toEqual([{ line: 3, reason: "no-consent", message: "consent: false (the user declined; never ingested)" }]);
  });

  it("with requireConsent takes only consent: true", async () => {
    const result = await ingest(events(), { requireConsent: true });
    expect(result.counts).toMatchObject({ added: 1, bad: { total: 2, byReason: { "no-consent": 2 } } });
    expect(result.badLines.map((b) => b.line)).toEqual([2, 3]);
    expect(result.requireConsent).toBe(true);
    expect((await ws.cases("acme/reviews:latest")).map((c) => c.id)).toEqual(["fb:yes"]);
  });
});

describe("feedback ingest: personal data", () => {
  const event = {
    requestId: "pii-1",
    input: "Mail me at jane.doe@example.com or call +1 415 555 0132",
    output: "Sure, jane.doe@example.com",
    model: "",
    rating: "bad",
    correction: "We never ask for card 4111 1111 1111 1111",
    tags: { customer: "jane.doe@example.com" },
  };

  it("is redacted by default from input, output, correction and tag values, and counted", async () => {
    const result = await ingest(jsonl({ ...event, model: chat }));
    const text = JSON.stringify(await ws.cases("acme/reviews:latest"));
    expect(text).not.toContain("jane.doe@example.com");
    expect(text).not.toContain("555 0132");
    expect(text).not.toContain("4111 1111 1111 1111");
    expect(text).toContain("Mail me at");
    expect(result.redacted).toBe(true);
    expect(result.counts.redactions.total).toBeGreaterThanOrEqual(5);
    expect(Object.values(result.counts.redactions.byKind).reduce((s, n) => s + n, 0)).toBe(result.counts.redactions.total);
  });

  it("is kept with redact: false", async () => {
    const result = await ingest(jsonl({ ...event, model: chat }), { redact: false });
    const [stored] = await ws.cases("acme/reviews:latest");
    expect(stored).toMatchObject({ vars: { input: event.input }, expected: event.correction, tags: { customer: "jane.doe@example.com" } });
    expect(result).toMatchObject({ redacted: false, counts: { redactions: { total: 0 } } });
  });

  it("found in a request id names the case by its content instead, and still finds the request again", async () => {
    const card = { requestId: "4111111111111111", input: "q2", output: "o", model: chat, rating: "bad" };
    const result = await ingest(jsonl(card, { ...card, input: "other question" }));
    expect(result.counts).toMatchObject({ added: 1, duplicates: { requestId: 1 } });
    const [stored] = await ws.cases("acme/reviews:latest");
    // eval's id of a case without one: sha256 of canonical {vars}, first 12 hex: printf %s '{"vars":{"input":"q2"}}' | sha256sum
    expect(stored!.id).toBe("fb:c-e78a09edb5f2");
    expect(JSON.stringify(stored)).not.toContain("4111111111111111");
  });
});

describe("feedback ingest: hostile input", () => {
  it("cleans control characters and lone surrogates, refuses prototype keys, pollutes nothing", async () => {
    const result = await ingest(
      [
        `{"requestId":"r1","input":"a\\u0000b\\u001b[2Jc\\ud800d","output":"o\\u0007","model":"${chat}","rating":"bad"}`,
        `{"__proto__":{"polluted":true},"requestId":"r2","input":"q","output":"o","model":"${chat}","rating":"bad"}`,
        `{"requestId":"r3","input":{"constructor":"x"},"output":"o","model":"${chat}","rating":"bad"}`,
        "",
      ].join("\n"),
    );
    expect(result.counts).toMatchObject({ added: 1, sanitized: 1, bad: { byReason: { "invalid-field": 2 } } });
    const [stored] = await ws.cases("acme/reviews:latest");
    expect(stored).toMatchObject({ vars: { input: "ab[2Jc\ufffdd" }, metadata: { output: "o" } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("takes a model only when the store holds a model version of that very name and digest", async () => {
    const dataset = await ws.dataset("other/data", { "x.txt": "x" });
    const chatDigest = chat.split("@")[1]!;
    const result = await ingest(
      jsonl(
        // A dataset's digest, named as a model.
        { requestId: "a", input: "q1", output: "o", model: `other/data@${dataset}`, rating: "bad" },
        // A real model digest under another name (a layout finds digests under any name).
        { requestId: "b", input: "q2", output: "o", model: `evil/model@${chatDigest}`, rating: "bad" },
        { requestId: "c", input: "q3", output: "o", model: chat, rating: "bad" },
      ),
    );
    expect(result.badLines.map((b) => [b.line, b.reason])).toEqual([
      [1, "unknown-model"],
      [2, "unknown-model"],
    ]);
    expect(result.unknownModels.total).toBe(2);
    expect(result.parents).toEqual([{ ref: chat, digest: chatDigest }]);
  });

  it("looks up at most maxModels distinct model refs; events naming more are bad", async () => {
    const forged = (i: number) => `acme/chat@sha256:${i.toString(16).padStart(64, "0")}`;
    const lines = [
      { requestId: "real", input: "real q", output: "o", model: chat, rating: "bad" },
      ...Array.from({ length: 5 }, (_, i) => ({ requestId: `f${i}`, input: `q${i}`, output: "o", model: forged(i), rating: "bad" })),
      // Already looked up: still known past the limit.
      { requestId: "real-2", input: "real q2", output: "o", model: chat, rating: "bad" },
    ];
    const result = await ingest(jsonl(...lines), { maxModels: 3 });
    expect(result.counts.bad.byReason).toEqual({ "unknown-model": 2, "model-limit": 3 });
    expect(result.badLines.map((b) => [b.line, b.reason])).toEqual([
      [2, "unknown-model"],
      [3, "unknown-model"],
      [4, "model-limit"],
      [5, "model-limit"],
      [6, "model-limit"],
    ]);
    expect(result.badLines[2]!.message).toBe("model: more than 3 distinct models in one ingest");
    expect(result.counts.added).toBe(2);
    expect(result.unknownModels.total).toBe(2);
  });

  it("skips a huge line without holding it, and goes on", async () => {
    const huge = `{"requestId":"big","input":"${"A".repeat(8 * 1024 * 1024)}","output":"o","model":"${chat}","rating":"bad"}`;
    const text = `${huge}\n${jsonl({ requestId: "after", input: "q", output: "o", model: chat, rating: "good" })}`;
    const result = await ingest("", { events: streamOf(text, 64 * 1024) });
    expect(result.badLines).toEqual([{ line: 1, reason: "too-long", message: "expected lines of at most 1048576 bytes" }]);
    expect(result.counts.added).toBe(1);
  });

  it("refuses a cases file path that escapes the version, and a bad dataset name", async () => {
    for (const file of ["../x.jsonl", "/etc/x.jsonl", ".hidden.jsonl", "a/../b.jsonl", "cases.csv", "a//b.jsonl"]) {
      await expect(ingest("", { file })).rejects.toThrow(`cases file "${file}": expected a relative path ending in .jsonl`);
    }
    await expect(ingest("", { dataset: "Bad Name" })).rejects.toThrow('dataset "Bad Name": expected an artifact name');
  });

  it("names a feedback file that does not exist or is a directory", async () => {
    await expect(ingest("", { events: join(ws.dir, "missing.jsonl") })).rejects.toThrow(/feedback file .*missing\.jsonl: does not exist/);
    await expect(ingest("", { events: ws.dir })).rejects.toThrow(/: is a directory; expected a JSONL file of feedback events/);
  });
});

describe("feedback ingest: concurrent writers", () => {
  it("leaves latest to whoever moved it during the ingest, and says which version holds its cases", async () => {
    const v1 = await ws.dataset("acme/reviews", { "cases.jsonl": jsonl({ id: "a", vars: { q: "x" } }) });
    async function* racing(): AsyncGenerator<Uint8Array> {
      yield Buffer.from(jsonl({ requestId: "r1", input: "q", output: "o", model: chat, rating: "good" }));
      // Another ingest lands while this one reads.
      await ws.dataset("acme/reviews", { "cases.jsonl": jsonl({ id: "b", vars: { q: "y" } }) });
    }
    const error = await ingestFeedback({ store: ws.store, dataset: "acme/reviews", events: racing(), logger: silentLogger }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DatasetMovedError);
    expect((error as DatasetMovedError).exitCode).toBe(3);
    expect((error as DatasetMovedError).version).toBe("acme/reviews:v3");
    const versions = await ws.store.list("acme/reviews");
    expect(versions.map((v) => [v.version, v.aliases])).toEqual([
      ["v3", []],
      ["v2", ["latest"]],
      ["v1", []],
    ]);
    // v3 is this ingest's cases on top of v1, as the message says.
    expect((await ws.cases("acme/reviews:v3")).map((c) => c.id)).toEqual(["a", "fb:r1"]);
    expect(v1).toBe(versions[2]!.digest);
  });

  it("leaves no staging directory behind, whatever happened", async () => {
    const tmp = join(ws.dir, "tmp");
    await import("node:fs/promises").then((fs) => fs.mkdir(tmp));
    await ingest(jsonl({ requestId: "r1", input: "q", output: "o", model: chat, rating: "good" }), { tmpDir: tmp });
    await ingest(jsonl("bad"), { tmpDir: tmp }).catch(() => {});
    expect(await readdir(tmp)).toEqual([]);
  });
});
