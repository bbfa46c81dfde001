import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { chooseStore } from "../../packages/store/src/index.ts";
import { leakedSecrets, runAction } from "../src/harness.ts";
import { type OpenAIServer, startOpenAIServer } from "../src/openai-server.ts";
import { startRegistry, type TestRegistry } from "../src/registry.ts";

/**
 * The store every action picks with its store inputs at their defaults, on GitHub: GHCR of the
 * repository with the job's token. A local registry with Docker token auth (the protocol GHCR
 * speaks) stands in for ghcr.io through LLMOPS_TEST_GHCR_HOST, and the job token is its password.
 */

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function workspace(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "llmops-ghcr-"));
  dirs.push(dir);
  await mkdir(join(dir, "model"), { recursive: true });
  await writeFile(join(dir, "model", "weights.bin"), Buffer.alloc(20_000, 7));
  await writeFile(
    join(dir, "llmops.yaml"),
    [
      "suites:",
      "  - name: qa",
      "    provider: { type: openai, model: echo, baseUrl: https://api.example.invalid/v1, apiKeyEnv: EVAL_API_KEY }",
      '    prompt: "{{q}}"',
      "    cases: [{ id: a, vars: { q: one }, expected: one }]",
      "    scorers: [{ type: equals, name: exact }]",
      "",
    ].join("\n"),
  );
  return dir;
}

/** An HTTP server that asks for Basic credentials and records every Authorization header it is sent. */
async function recordingRegistry(): Promise<{ host: string; authorizations: (string | undefined)[]; server: Server }> {
  const authorizations: (string | undefined)[] = [];
  const server = createServer((req, res) => {
    authorizations.push(req.headers.authorization);
    req.resume();
    res.writeHead(401, { "www-authenticate": 'Basic realm="other"', "docker-distribution-api-version": "registry/2.0" }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { host: `127.0.0.1:${(server.address() as AddressInfo).port}`, authorizations, server };
}

describe("GHCR by default in GitHub Actions, with the job token and only there", () => {
  let ghcr: TestRegistry;
  let model: OpenAIServer;
  let env: Record<string, string>;
  beforeAll(async () => {
    ghcr = await startRegistry({ auth: "bearer" });
    model = await startOpenAIServer();
    // The job token is the stand-in's password; GHCR takes any user name, the token server this one.
    env = { LLMOPS_TEST_GHCR_HOST: ghcr.host, GITHUB_TOKEN: ghcr.password!, GITHUB_ACTOR: ghcr.username! };
  });
  afterAll(async () => {
    await ghcr?.close();
    await model?.close();
  });

  it("version, fetch and eval --record with every store input at its default share GHCR of the repository", async () => {
    const ws = await workspace();
    const expected = `oci://${ghcr.host}/octo-org/octo-repo`;
    const v = await runAction("version", { workspace: ws, inputs: { path: "model", name: "acme/sentiment", kind: "model" }, env });
    expect(v.errors).toEqual([]);
    expect(v.exitCode).toBe(0);
    expect(v.outputs.store).toBe(expected);
    expect(v.log.map((l) => l.text)).toContain(
      `store ${expected} (GHCR of the repository, the default in GitHub Actions, the job's GITHUB_TOKEN)`,
    );
    expect(v.masks).toContain(ghcr.password);

    const f = await runAction("fetch", { workspace: ws, inputs: { ref: v.outputs.ref!, path: "fetched" }, env });
    expect(f.exitCode).toBe(0);
    expect(f.outputs.digest).toBe(v.outputs.digest);
    expect((await readFile(join(ws, "fetched", "weights.bin"))).length).toBe(20_000);

    // The quickstart's eval: the model version is looked up in the same store, and the evidence recorded there.
    const e = await runAction("eval", {
      workspace: ws,
      inputs: { model: v.outputs.ref!, record: "true", cache: "false", "base-url": model.url },
      env: { ...env, EVAL_API_KEY: "sk-test" },
    });
    expect(e.errors).toEqual([]);
    expect(e.annotations.filter((a) => a.level === "error")).toEqual([]);
    expect(e.exitCode).toBe(0);
    expect(e.outputs.passed).toBe("true");
    const summary = JSON.parse(await readFile(join(ws, ".llmops", "results", "qa", "summary.json"), "utf8"));
    expect(JSON.stringify(summary)).toContain(v.outputs.digest);

    expect(ghcr.tokenServer!.requests.length).toBeGreaterThan(0);
    expect(ghcr.tokenServer!.requests.every((r) => r.authorized)).toBe(true);
    for (const run of [v, f, e]) expect(leakedSecrets(run, [ghcr.password!])).toEqual([]);
  });

  it("never sends the job token to another registry, even with a store-username", async () => {
    const ws = await workspace();
    const other = await recordingRegistry();
    try {
      const v = await runAction("version", {
        workspace: ws,
        inputs: { path: "model", name: "acme/sentiment", kind: "model", store: `oci://${other.host}/team`, "store-username": "me" },
        env,
      });
      expect(v.exitCode).toBe(1);
      expect(other.authorizations.length).toBeGreaterThan(0);
      expect(other.authorizations.filter((a) => a !== undefined)).toEqual([]);
    } finally {
      await new Promise((resolve) => other.server.close(resolve));
    }
  });

  it("refuses a GHCR stand-in that is not on the loopback interface", async () => {
    const ws = await workspace();
    const v = await runAction("version", {
      workspace: ws,
      inputs: { path: "model", name: "acme/sentiment", kind: "model" },
      env: { ...env, LLMOPS_TEST_GHCR_HOST: "registry.example.com" },
    });
    expect(v.exitCode).toBe(1);
    expect(v.annotations.filter((a) => a.level === "error").map((a) => a.message)).toEqual([
      "LLMOPS_TEST_GHCR_HOST=registry.example.com: for tests only; expected a loopback registry such as 127.0.0.1:5000",
    ]);
  });
});

describe("store choice for actions (chooseStore)", () => {
  const actions = { GITHUB_ACTIONS: "true", GITHUB_REPOSITORY: "Octo-Org/Octo-Repo", GITHUB_ACTOR: "octocat" };

  it("defaults to GHCR under the lower-cased repository with the job token", () => {
    expect(chooseStore({ credentials: { password: "ghs_x" }, env: actions })).toEqual({
      spec: "oci://ghcr.io/octo-org/octo-repo",
      auth: { token: "ghs_x", username: "octocat" },
      source: "ghcr",
      authSource: "github-token",
    });
  });

  it("prefers the input, then the config, and uses the local layout outside Actions", () => {
    expect(chooseStore({ input: "oci://r.example/x", config: "store", env: actions }).source).toBe("input");
    expect(chooseStore({ config: "./store", credentials: { password: "ghs_x" }, env: actions })).toEqual({
      spec: "./store",
      auth: undefined,
      source: "config",
      authSource: "none",
    });
    expect(chooseStore({ env: {} })).toEqual({ spec: ".llmops/store", auth: undefined, source: "default", authSource: "none" });
  });

  it("never offers the job token to a registry other than ghcr.io, even when a username is set", () => {
    const other = "oci://registry.example.com/team";
    expect(chooseStore({ input: other, credentials: { username: "me", password: "ghs_jobToken" }, env: actions }).auth).toBeUndefined();
    expect(
      chooseStore({ input: other, credentials: { username: "me", password: "job-token" }, env: { ...actions, GITHUB_TOKEN: "job-token" } })
        .auth,
    ).toBeUndefined();
    expect(chooseStore({ input: "oci://ghcr.io.example.com/x", credentials: { password: "ghs_jobToken" }, env: actions }).auth).toBe(
      undefined,
    );
    expect(
      chooseStore({
        input: other,
        credentials: { username: "me", password: "ghs_jobToken" },
        env: { ...actions, LLMOPS_REGISTRY_TOKEN: "rt" },
      }).auth,
    ).toEqual({ token: "rt" });
    // An explicit password for that registry still works, and GHCR still gets the job token with a username.
    expect(chooseStore({ input: other, credentials: { username: "me", password: "registry-password" }, env: actions }).auth).toEqual({
      username: "me",
      password: "registry-password",
    });
    expect(
      chooseStore({ input: "oci://ghcr.io/o/r", credentials: { username: "me", password: "ghs_jobToken" }, env: actions }).auth,
    ).toEqual({ token: "ghs_jobToken", username: "me" });
  });
});
