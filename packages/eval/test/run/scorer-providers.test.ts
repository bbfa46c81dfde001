import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, silentLogger } from "@llmops/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { prepareSuite } from "../../src/run/suite.ts";

/**
 * The runner supplies `similar` scorers with an embeddings client per config (one per run, so
 * equal configs share it) and masks the keys of every provider a scorer names.
 */

let dir: string;
let server: Server;
let requests: { auth: string | undefined; input: string[] }[];
let fail503 = 0;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "llmops-scorer-providers-"));
  requests = [];
  fail503 = 0;
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const { input } = JSON.parse(body) as { input: string[] };
      requests.push({ auth: req.headers.authorization, input });
      if (fail503-- > 0) {
        res.writeHead(503, { "content-type": "application/json" }).end('{"error":{"message":"busy"}}');
        return;
      }
      // "paris"-ish texts point one way, everything else the other.
      const data = input.map((text, index) => ({ object: "embedding", index, embedding: /paris/i.test(text) ? [1, 0] : [0, 1] }));
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ object: "list", data, model: "m", usage: { prompt_tokens: 1, total_tokens: 1 } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
});
afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

async function setup() {
  const port = (server.address() as AddressInfo).port;
  await writeFile(join(dir, "model.mjs"), "export default ({ vars }) => vars.answer;\n");
  const embeddings = `{ type: embeddings, model: m, baseUrl: "http://127.0.0.1:${port}/v1", apiKeyEnv: EMBED_KEY }`;
  await writeFile(
    join(dir, "llmops.yaml"),
    [
      "suites:",
      "  - name: s",
      "    provider: { type: module, path: model.mjs }",
      '    prompt: "{{q}}"',
      "    retries: 2",
      "    cases:",
      "      - { vars: { q: capital, answer: It is Paris. }, expected: Paris }",
      "      - { vars: { q: capital, answer: Rome }, expected: Paris }",
      "    scorers:",
      `      - { type: similar, name: sim, embeddings: ${embeddings} }`,
      `      - { type: similar, name: sim2, value: PARIS, embeddings: ${embeddings} }`,
      "",
    ].join("\n"),
  );
  const loaded = await loadConfig(undefined, { cwd: dir });
  return (env: NodeJS.ProcessEnv) => prepareSuite({ loaded, suite: loaded.config.suites[0]!, suiteIndex: 0, env, logger: silentLogger });
}

describe("scorer providers", () => {
  it("similar scorers get an embeddings client, shared between equal configs, with the suite's retries; its key is masked", async () => {
    const prepare = await setup();
    const prepared = await prepare({ EMBED_KEY: "sk-embed-secret" });
    expect(prepared.secretEnvNames).toContain("EMBED_KEY");
    fail503 = 1;
    const [run] = await prepared.execute({ cacheDir: null });
    expect(run!.rows.map((r) => r.scores.map((s) => [s.name, s.score]))).toEqual([
      [
        ["sim", 1],
        ["sim2", 1],
      ],
      [
        ["sim", 0],
        ["sim2", 0],
      ],
    ]);
    expect(requests.every((r) => r.auth === "Bearer sk-embed-secret")).toBe(true);
    // The 503 was retried; every distinct text was embedded (one client, one batcher for both scorers).
    const texts = new Set(requests.slice(1).flatMap((r) => r.input));
    expect(texts).toEqual(new Set(["It is Paris.", "Paris", "Rome", "PARIS"]));
  });

  it("a missing embeddings key is found when the suite is prepared, before any call", async () => {
    const prepare = await setup();
    await expect(prepare({})).rejects.toThrow(/EMBED_KEY/);
    expect(requests).toHaveLength(0);
  });
});
