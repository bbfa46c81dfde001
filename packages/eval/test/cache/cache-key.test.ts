import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, providerConfigSchema, silentLogger } from "@llmops/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createProvider } from "../../src/providers/index.ts";
import { responseCacheKey, responseCacheKeyMaterial } from "../../src/response-cache.ts";
import { prepareSuite } from "../../src/run/suite.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "llmops-cache-key-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const DIGEST_V1 = `sha256:${"1".repeat(64)}`;
const DIGEST_V2 = `sha256:${"2".repeat(64)}`;

/** A module provider standing for a model served from disk: it answers with the weights file's text. */
async function writeSuite(extra: string[] = []): Promise<string> {
  await writeFile(
    join(dir, "model.mjs"),
    'import { readFileSync } from "node:fs";\nexport default () => readFileSync(new URL("./weights.txt", import.meta.url), "utf8");\n',
  );
  const file = join(dir, "llmops.yaml");
  await writeFile(
    file,
    [
      "suites:",
      "  - name: s",
      "    provider: { type: module, path: model.mjs }",
      '    prompt: "{{q}}"',
      "    cases: [{ id: a, vars: { q: same question } }]",
      ...extra,
      "",
    ].join("\n"),
  );
  return file;
}

async function run(file: string, model?: string) {
  const loaded = await loadConfig(file);
  const prepared = await prepareSuite({ loaded, suite: loaded.config.suites[0]!, suiteIndex: 0, env: {}, logger: silentLogger });
  const [variant] = await prepared.execute({
    cacheDir: join(dir, "cache"),
    ...(model ? { model: { ref: "acme/m:latest", digest: model } } : {}),
  });
  const row = variant!.rows[0]!;
  return { output: row.output, cached: row.cached };
}

describe("the response cache across model versions and unseen changes", () => {
  it("a new model version behind the same provider config is asked again, not answered from the cache", async () => {
    const file = await writeSuite();
    await writeFile(join(dir, "weights.txt"), "answer of v1");
    expect(await run(file, DIGEST_V1)).toEqual({ output: "answer of v1", cached: false });
    await writeFile(join(dir, "weights.txt"), "answer of v2");
    expect(await run(file, DIGEST_V2)).toEqual({ output: "answer of v2", cached: false });
    // Each version's answer stays cached under its own digest.
    expect(await run(file, DIGEST_V1)).toEqual({ output: "answer of v1", cached: true });
    expect(await run(file, DIGEST_V2)).toEqual({ output: "answer of v2", cached: true });
  });

  it("the suite's cacheKey covers what the tool cannot see", async () => {
    await writeFile(join(dir, "weights.txt"), "answer of v1");
    const first = await writeSuite(["    cacheKey: weights-v1"]);
    expect(await run(first)).toEqual({ output: "answer of v1", cached: false });
    expect(await run(first)).toEqual({ output: "answer of v1", cached: true });
    await writeFile(join(dir, "weights.txt"), "answer of v2");
    const second = await writeSuite(["    cacheKey: weights-v2"]);
    expect(await run(second)).toEqual({ output: "answer of v2", cached: false });
  });
});

const task = { prompt: "p", vars: { q: 1 }, repeat: 0 };
const provider = (config: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) =>
  createProvider(providerConfigSchema.parse(config), { env, cwd: dir, logger: silentLogger });
const keyOf = (config: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) =>
  responseCacheKey({ ...task, identity: provider(config, env).identity });

describe("provider identity in the cache key", () => {
  it("changes when a module provider's file changes", async () => {
    const config = { type: "module", path: "answer.mjs" };
    await writeFile(join(dir, "answer.mjs"), 'export default () => "one";\n');
    const before = keyOf(config);
    expect(keyOf(config)).toBe(before);
    await writeFile(join(dir, "answer.mjs"), 'export default () => "two";\n');
    expect(keyOf(config)).not.toBe(before);
  });

  it("covers the whole config: headers, params, pricing, base URL, command argv and env — but not the id", () => {
    const openai = { type: "openai", model: "m", baseUrl: "http://127.0.0.1:9/v1", apiKeyEnv: null };
    const key = keyOf(openai);
    expect(keyOf({ ...openai, id: "renamed" })).toBe(key);
    for (const change of [
      { headers: { "x-model-revision": "7" } },
      { params: { temperature: 0.5 } },
      { pricing: { prompt: 1, completion: 2 } },
      { baseUrl: "http://127.0.0.1:9/v2" },
      { apiVersion: "2024-06-01", apiKeyEnv: "AZURE_KEY" },
    ]) {
      expect([change, keyOf({ ...openai, ...change }, { AZURE_KEY: "k" })]).not.toEqual([change, key]);
    }
    const command = { type: "command", argv: ["python3", "serve.py"], env: { MODEL_DIR: "/models/v1" } };
    expect(keyOf({ ...command, env: { MODEL_DIR: "/models/v2" } })).not.toBe(keyOf(command));
    expect(keyOf({ ...command, argv: ["python3", "serve.py", "--beam", "4"] })).not.toBe(keyOf(command));
    expect(keyOf({ ...command, cwd: "other" })).not.toBe(keyOf(command));
  });

  it("never holds a secret value: API keys, credential headers, command env credentials, URL credentials", () => {
    const secrets = ["sk-env-0001", "sk-literal-0002", "literal-0003", "tok-0004", "lit-0005", "cmd-0006", "pw-0007", "q-0008", "ant-0009"];
    const env = { MY_KEY: "sk-env-0001", HTTP_TOKEN: "tok-0004", ANTHROPIC_API_KEY: "ant-0009" };
    const configs = [
      {
        type: "openai",
        model: "m",
        baseUrl: "http://user:pw-0007@127.0.0.1:9/v1?api_key=q-0008&region=eu",
        apiKeyEnv: "MY_KEY",
        headers: { Authorization: "Bearer sk-literal-0002", "X-Api-Key": "literal-0003", "x-trace-tag": "blue" },
      },
      { type: "anthropic", model: "m", baseUrl: "http://127.0.0.1:9", headers: { "x-team": "red" } },
      {
        type: "http",
        url: "http://127.0.0.1:9/predict?token=lit-0005&mode=fast",
        headers: { Authorization: "Bearer {{env.HTTP_TOKEN}}" },
        body: { q: "{{prompt}}" },
      },
      { type: "command", argv: ["python3", "serve.py"], env: { API_TOKEN: "cmd-0006", MODEL_DIR: "/models/v1" } },
    ];
    const materials = configs.map((config) =>
      responseCacheKeyMaterial({ ...task, identity: provider(config, env).identity, model: DIGEST_V1, cacheKey: "k" }),
    );
    for (const material of materials) for (const secret of secrets) expect(material).not.toContain(secret);
    // Names stay, so adding, removing or renaming a credential still makes another key.
    expect(materials[0]).toContain('"Authorization":"(secret)"');
    expect(materials[0]).toContain('"apiKeyEnv":"MY_KEY"');
    expect(materials[0]).toContain('"x-trace-tag":"blue"');
    expect(materials[0]).toContain("region=eu");
    expect(materials[1]).toContain('"apiKeyEnv":"ANTHROPIC_API_KEY"');
    expect(materials[2]).toContain("mode=fast");
    expect(materials[3]).toContain('"API_TOKEN":"(secret)"');
    expect(materials[3]).toContain('"MODEL_DIR":"/models/v1"');
  });
});
