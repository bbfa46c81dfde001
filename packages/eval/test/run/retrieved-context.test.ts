import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CaseResult, loadConfig, silentLogger } from "@llmops/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createProvider, ProviderError } from "../../src/providers/index.ts";
import { retrievedContext } from "../../src/providers/structured.ts";
import { readResultsFile } from "../../src/results/stream.ts";
import { prepareSuite } from "../../src/run/suite.ts";
import type { Clock } from "../../src/run/types.ts";
import { startStubServer } from "../providers/stub-server.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "llmops-retrieved-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const stillClock: Clock = { now: () => 0, sleep: async () => {} };

// A RAG app as a module: it "retrieves" two passages and answers from the first.
const APP = `export default async ({ vars }) => ({ output: "Oslo is in Norway.", retrievedContext: ["Oslo is the capital of Norway.", "Rome is in Italy."] });`;
// A scorer that passes when it was shown the app's passages, not the case's variable.
const SCORER = `export default (input) => ({ score: Array.isArray(input.retrievedContext) && input.retrievedContext.length === 2 ? 1 : 0 });`;

describe("retrieved context", () => {
  it("goes from a module provider to the scorers, to results.jsonl and through the response cache", async () => {
    await writeFile(join(dir, "app.mjs"), APP);
    await writeFile(join(dir, "scorer.mjs"), SCORER);
    await writeFile(
      join(dir, "llmops.yaml"),
      [
        "suites:",
        "  - name: rag",
        "    provider: { type: module, path: app.mjs }",
        '    prompt: "{{question}}"',
        "    cases: [{ id: q1, vars: { question: Where is Oslo?, context: unused } }]",
        "    scorers: [{ type: custom, module: scorer.mjs }]",
        "",
      ].join("\n"),
    );
    const loaded = await loadConfig(undefined, { cwd: dir });
    const prepared = await prepareSuite({ loaded, suite: loaded.config.suites[0]!, suiteIndex: 0, env: {}, logger: silentLogger });
    const cacheDir = join(dir, "cache");
    const rows = async (out: string) => {
      const [run] = await prepared.execute({ cacheDir, outDir: () => join(dir, out), clock: stillClock });
      const all: CaseResult[] = [];
      for await (const row of readResultsFile(run!.written!.resultsPath)) all.push(row);
      return { all, calls: run!.providerCalls };
    };
    const cold = await rows("cold");
    expect(cold.all[0]).toMatchObject({ pass: true, retrievedContext: ["Oslo is the capital of Norway.", "Rome is in Italy."] });
    const warm = await rows("warm");
    expect(warm.calls).toBe(0);
    expect(warm.all[0]).toMatchObject({ pass: true, cached: true, retrievedContext: cold.all[0]!.retrievedContext });
  });

  it("is read from an HTTP endpoint's JSON at contextPath", async () => {
    const server = await startStubServer((_request, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ answer: "Norway", sources: [{ text: "Oslo is the capital of Norway." }], passages: ["a", "b"] }));
    });
    try {
      const provider = createProvider(
        { type: "http", url: `${server.origin}/rag`, method: "POST", headers: {}, responsePath: "answer", contextPath: "passages" },
        { env: {}, cwd: dir, logger: silentLogger },
      );
      const response = await provider.call({ prompt: "Where?", vars: {}, signal: new AbortController().signal });
      expect(response).toMatchObject({ output: "Norway", retrievedContext: ["a", "b"] });
    } finally {
      await server.close();
    }
  });

  it("needs responsePath next to contextPath (exit 2)", () => {
    expect(() =>
      createProvider(
        { type: "http", url: "http://127.0.0.1:9/x", method: "POST", headers: {}, contextPath: "passages" },
        { env: {}, cwd: dir, logger: silentLogger },
      ),
    ).toThrow(/contextPath needs responsePath/);
  });

  it("is bounded and typed: hostile apps get a non-retryable error naming the limit", () => {
    expect(retrievedContext("one passage", "app")).toBe("one passage");
    expect(() => retrievedContext([1, 2], "app")).toThrow(/a string or a list of strings/);
    expect(() =>
      retrievedContext(
        Array.from({ length: 1001 }, () => "x"),
        "app",
      ),
    ).toThrow(/at most 1000 passages/);
    const error = (() => {
      try {
        retrievedContext(["x".repeat(1 << 20), "y"], "app");
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).retryable).toBe(false);
  });
});
