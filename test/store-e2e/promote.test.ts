// `llmops promote`, `rollback` and `status` end to end against the real CNCF registry: evidence
// recorded by `llmops eval --record`, environments chained by `promotedTo`, a Triton-style model
// repository filled from the registry (streamed and verified), a real HTTP endpoint for the smoke
// suite, and the records read back from the registry by `status`.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { main } from "@llmops/cli";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startRegistry, type TestRegistry } from "../src/registry.ts";

let registry: TestRegistry;
let endpoint: Server;
let healthy = true;
let cwd: string;
let env: Record<string, string>;

beforeAll(async () => {
  registry = await startRegistry({ auth: "basic" });
  endpoint = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      if (!healthy) return void res.writeHead(503).end("model failed to load");
      const text = (JSON.parse(body) as { text: string }).text;
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ label: text.includes("love") ? "positive" : "negative" }));
    });
  });
  await new Promise<void>((resolve) => endpoint.listen(0, "127.0.0.1", resolve));
});
afterAll(async () => {
  endpoint?.close();
  await registry?.close();
});

beforeEach(async () => {
  healthy = true;
  cwd = await mkdtemp(join(tmpdir(), "llmops-promote-cli-"));
  env = {
    LLMOPS_CACHE_DIR: join(cwd, ".cache"),
    LLMOPS_REGISTRY_USERNAME: registry.username!,
    LLMOPS_REGISTRY_PASSWORD: registry.password!,
    GITHUB_REF: "refs/heads/main",
    GITHUB_SHA: "c0ffee",
  };
  const url = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}`;
  await mkdir(join(cwd, "serving", "staging"), { recursive: true });
  await mkdir(join(cwd, "serving", "production"), { recursive: true });
  await writeFile(join(cwd, "replay.jsonl"), '{"id":"a","output":"positive"}\n{"id":"b","output":"negative"}\n');
  const smoke = `smoke: { suite: smoke, provider: { type: http, url: "{{environment.url}}/v1/predict", body: { text: "{{prompt}}" }, responsePath: label } }`;
  await writeFile(
    join(cwd, "llmops.yaml"),
    `store: oci://${registry.host}/acme-${Math.random().toString(36).slice(2, 8)}
artifacts:
  sentiment: { kind: model, path: model }
suites:
  - name: quality
    provider: { type: replay, file: replay.jsonl }
    prompt: "{{text}}"
    cases:
      - { id: a, vars: { text: "I love it" }, expected: positive }
      - { id: b, vars: { text: "meh" }, expected: negative }
    scorers: [{ name: correct, type: equals }]
    gates: [{ metric: correct, min: 1 }]
  - name: smoke
    provider: { type: http, url: "${url}/v1/predict", body: { text: "{{prompt}}" }, responsePath: label }
    prompt: "{{text}}"
    cases: [{ vars: { text: "I love it" }, expected: positive }]
    scorers: [{ name: correct, type: equals }]
environments:
  staging:
    url: ${url}
    requires: { evidence: [{ suite: quality, maxAgeDays: 7 }] }
    targets: [{ type: model-repository, root: serving/staging, model: sentiment, keep: 2 }]
    ${smoke}
  production:
    url: ${url}
    requires: { evidence: [{ suite: quality }], promotedTo: [staging] }
    targets: [{ type: model-repository, root: serving/production, model: sentiment }]
    ${smoke}
`,
  );
});
afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

async function llmops(args: string[], extra: Record<string, string> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const code = await main(args, { stdout, stderr, cwd, env: { ...env, ...extra } });
  return { code, stdout: out, stderr: err, json: () => JSON.parse(out) as Record<string, unknown> };
}

/** Versions the model directory with `weights`, returning its digest. */
async function version(weights: string): Promise<string> {
  await mkdir(join(cwd, "model"), { recursive: true });
  await writeFile(join(cwd, "model", "weights.bin"), weights);
  const made = await llmops(["version", "model", "--name", "sentiment", "--kind", "model", "--json"]);
  expect(made.code, made.stderr).toBe(0);
  return made.json().digest as string;
}

describe("llmops promote / rollback / status on a registry", () => {
  it("binds promotion to evidence on the exact digest and to earlier environments, then serves, records and reports it", async () => {
    const v1 = await version("weights one");
    const ref = `sentiment@${v1}`;

    const unevaluated = await llmops(["promote", ref, "--to", "staging", "--json"]);
    expect(unevaluated.code).toBe(1);
    expect(unevaluated.json()).toMatchObject({ outcome: "refused", serving: null });
    expect(unevaluated.json().message).toMatch(/quality/);

    const evaluated = await llmops(["eval", "--model", ref, "--record", "--suite", "quality", "--no-cache", "--json"]);
    expect(evaluated.code, evaluated.stderr).toBe(0);

    const skipping = await llmops(["promote", ref, "--to", "production", "--json"]);
    expect(skipping.code).toBe(1);
    expect(JSON.stringify(skipping.json().requirements)).toMatch(/staging/);

    const dry = await llmops(["promote", ref, "--to", "staging", "--dry-run", "--json"]);
    expect(dry.code).toBe(0);
    expect(dry.json()).toMatchObject({ outcome: "dry-run", serving: null });

    const staged = await llmops(["promote", ref, "--to", "staging", "--json"]);
    expect(staged.code, staged.stderr).toBe(0);
    expect(staged.json()).toMatchObject({ outcome: "promoted", digest: v1, from: null, serving: v1 });
    expect(await readFile(join(cwd, "serving", "staging", "sentiment", "1", "weights.bin"), "utf8")).toBe("weights one");

    const produced = await llmops(["promote", ref, "--to", "production", "--json"]);
    expect(produced.code, produced.stderr).toBe(0);

    const status = await llmops(["status", "--json"]);
    expect(status.code).toBe(0);
    const environments = status.json().environments as { environment: string; digest: string; evidence: { suite: string }[] }[];
    expect(environments.map((e) => [e.environment, e.digest])).toEqual([
      ["staging", v1],
      ["production", v1],
    ]);
    expect(environments[1]?.evidence.map((e) => e.suite)).toEqual(["quality"]);
    const human = await llmops(["status", "staging"]);
    expect(human.stdout).toContain("staging");
    expect(human.stdout).toContain(v1.slice(7, 19));
  });

  it("rolls a failed smoke eval back by itself, and `rollback` returns to the version served before", async () => {
    const v1 = await version("weights one");
    const v2 = await version("weights two");
    for (const digest of [v1, v2]) {
      const evaluated = await llmops(["eval", "--model", `sentiment@${digest}`, "--record", "--suite", "quality", "--no-cache"]);
      expect(evaluated.code, evaluated.stderr).toBe(0);
    }
    expect((await llmops(["promote", `sentiment@${v1}`, "--to", "staging"])).code).toBe(0);

    healthy = false;
    const failed = await llmops(["promote", `sentiment@${v2}`, "--to", "staging", "--json"]);
    expect(failed.code).toBe(1);
    expect(failed.json()).toMatchObject({ outcome: "rolled-back", from: v1, serving: v1 });
    expect(await readFile(join(cwd, "serving", "staging", "sentiment", "config.pbtxt"), "utf8")).toMatch(/versions:\s*\[?\s*1\b/);

    healthy = true;
    expect((await llmops(["promote", `sentiment@${v2}`, "--to", "staging"])).code).toBe(0);
    const back = await llmops(["rollback", "staging", "--json"]);
    expect(back.code, back.stderr).toBe(0);
    expect(back.json()).toMatchObject({ outcome: "rolled-back", digest: v1, from: v2, serving: v1 });
    const status = await llmops(["status", "staging", "--json"]);
    expect((status.json().environments as { digest: string }[])[0]?.digest).toBe(v1);
  });

  it("exits 2 naming the environments there are for an unknown one", async () => {
    const v1 = await version("weights one");
    const result = await llmops(["promote", `sentiment@${v1}`, "--to", "prod"]);
    expect(result.code).toBe(2);
    // One line naming the problem and the environments there are (then the usage line, as for every usage error).
    expect(result.stderr.split("\n")[0]).toBe('llmops promote: unknown environment "prod"; llmops.yaml has staging, production');
    const positional = await llmops(["promote", `sentiment@${v1}`, "staging"]);
    expect(positional.code).toBe(2);
    expect(positional.stderr.split("\n")[0]).toBe("llmops promote: unexpected argument staging; did you mean --to staging?");
  });
});
