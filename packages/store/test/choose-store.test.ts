import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, InputError, runUrlFromEnv, silentLogger } from "@llmops/core";
import { afterEach, describe, expect, it } from "vitest";
import {
  chooseConfiguredStore,
  chooseStore,
  describeStoreChoice,
  ghcrHostFromEnv,
  ghcrStoreSpec,
  InsecureGhcrError,
  isGhcrSpec,
  openChosenStore,
  openStore,
  provenanceFromEnv,
  StoreCredentialsInUrlError,
} from "../src/index.ts";

const actions = { GITHUB_ACTIONS: "true", GITHUB_REPOSITORY: "Octo-Org/Octo-Repo", GITHUB_ACTOR: "octocat" };
const JOB = "ghs_jobToken0000";

describe("chooseStore: which store", () => {
  it("input > llmops.yaml store: > GHCR of the repository on GitHub > .llmops/store", () => {
    expect(chooseStore({ input: "./in", config: "./cfg", env: actions })).toMatchObject({ spec: "./in", source: "input" });
    expect(chooseStore({ input: "", config: "./cfg", env: actions })).toMatchObject({ spec: "./cfg", source: "config" });
    expect(chooseStore({ env: actions })).toMatchObject({ spec: "oci://ghcr.io/octo-org/octo-repo", source: "ghcr" });
    expect(chooseStore({ env: {} })).toEqual({ spec: ".llmops/store", auth: undefined, source: "default", authSource: "none" });
  });

  it("applies the GHCR default only in Actions with a repository, unless told", () => {
    expect(chooseStore({ env: { GITHUB_REPOSITORY: "o/r" } }).source).toBe("default");
    expect(chooseStore({ env: { GITHUB_ACTIONS: "true" } }).source).toBe("default");
    expect(chooseStore({ env: { GITHUB_ACTIONS: "false", GITHUB_REPOSITORY: "o/r" } }).source).toBe("default");
    expect(chooseStore({ env: actions, onGitHub: false }).source).toBe("default");
    expect(chooseStore({ env: { GITHUB_REPOSITORY: "O/R" }, onGitHub: true }).spec).toBe("oci://ghcr.io/o/r");
    expect(chooseStore({ env: { GITHUB_ACTIONS: "true" }, onGitHub: true }).source).toBe("default");
  });

  it("puts the GHCR default on an injected host, lower-cased", () => {
    expect(ghcrStoreSpec("Octo-Org/Octo-Repo")).toBe("oci://ghcr.io/octo-org/octo-repo");
    expect(chooseStore({ env: actions, ghcrHost: "127.0.0.1:5000" }).spec).toBe("oci://127.0.0.1:5000/octo-org/octo-repo");
  });
});

describe("chooseStore: which credentials", () => {
  const other = "oci://registry.example.com/team";

  it("explicit credentials > LLMOPS_REGISTRY_* > the job token (GHCR only)", () => {
    const env = { ...actions, GITHUB_TOKEN: JOB, LLMOPS_REGISTRY_USERNAME: "envuser", LLMOPS_REGISTRY_PASSWORD: "envpass" };
    expect(chooseStore({ input: other, env, credentials: { username: "me", password: "pw" } })).toMatchObject({
      auth: { username: "me", password: "pw" },
      authSource: "input",
    });
    expect(chooseStore({ input: other, env })).toMatchObject({ auth: { username: "envuser", password: "envpass" }, authSource: "env" });
    expect(chooseStore({ input: other, env: { LLMOPS_REGISTRY_TOKEN: "rt" } })).toEqual({
      spec: other,
      auth: { token: "rt" },
      source: "input",
      authSource: "env",
    });
    expect(chooseStore({ env: { ...actions, GITHUB_TOKEN: JOB } })).toMatchObject({
      auth: { token: JOB, username: "octocat" },
      authSource: "github-token",
    });
    // On GHCR too, LLMOPS_REGISTRY_* (say a token for another organisation's packages) wins over the job token.
    expect(chooseStore({ env, credentials: { password: JOB } })).toMatchObject({ auth: { username: "envuser" }, authSource: "env" });
  });

  it("a password alone is a token; a username alone is not credentials", () => {
    expect(chooseStore({ input: other, env: {}, credentials: { password: "pat" } }).auth).toEqual({ token: "pat" });
    expect(chooseStore({ input: other, env: {}, credentials: { username: "me" } })).toMatchObject({ auth: undefined, authSource: "none" });
  });

  it("sends no credentials to a layout directory", () => {
    const env = { ...actions, GITHUB_TOKEN: JOB, LLMOPS_REGISTRY_TOKEN: "rt" };
    expect(chooseStore({ input: "./store", env, credentials: { username: "u", password: "p" } })).toMatchObject({
      auth: undefined,
      authSource: "none",
    });
  });

  it("never offers the job token to a registry other than the GHCR host, however it was given", () => {
    // The store-password input defaults to the job's GITHUB_TOKEN, an installation token (`ghs_`
    // prefix, GitHub's token-format announcement, 2021): a username must not make it another registry's password.
    for (const credentials of [{ password: JOB }, { username: "me", password: JOB }]) {
      expect(chooseStore({ input: other, env: actions, credentials })).toMatchObject({ auth: undefined, authSource: "none" });
    }
    const envToken = { ...actions, GITHUB_TOKEN: "job-token-without-prefix" };
    expect(chooseStore({ input: other, env: envToken, credentials: { username: "me", password: "job-token-without-prefix" } }).auth).toBe(
      undefined,
    );
    expect(chooseStore({ input: other, env: envToken }).auth).toBeUndefined();
    // Nor through LLMOPS_REGISTRY_*.
    expect(chooseStore({ input: other, env: { ...actions, LLMOPS_REGISTRY_TOKEN: JOB } }).auth).toBeUndefined();
    expect(chooseStore({ input: other, env: { ...actions, LLMOPS_REGISTRY_USERNAME: "u", LLMOPS_REGISTRY_PASSWORD: JOB } }).auth).toBe(
      undefined,
    );
    // Hosts that only look like ghcr.io are other registries.
    for (const spec of ["oci://ghcr.io.example.com/x", "oci://evil.example/ghcr.io", "oci://ghcr.io:8443/x", "oci://127.0.0.1:5000/x"]) {
      expect(chooseStore({ input: spec, env: { ...actions, GITHUB_TOKEN: JOB }, credentials: { password: JOB } }).auth, spec).toBe(
        undefined,
      );
    }
    // With a username given, GHCR still gets the job token under that name; LLMOPS_REGISTRY_* still reach the other registry.
    expect(chooseStore({ input: "oci://GHCR.io/o/r", env: actions, credentials: { username: "me", password: JOB } }).auth).toEqual({
      token: JOB,
      username: "me",
    });
    expect(chooseStore({ input: other, env: { ...actions, LLMOPS_REGISTRY_TOKEN: "rt" }, credentials: { password: JOB } }).auth).toEqual({
      token: "rt",
    });
  });

  it("an injected GHCR host takes ghcr.io's place for the job token, and ghcr.io loses it", () => {
    const env = { ...actions, GITHUB_TOKEN: JOB };
    const ghcrHost = "127.0.0.1:5000";
    expect(chooseStore({ env, ghcrHost, credentials: { password: JOB } })).toMatchObject({
      spec: "oci://127.0.0.1:5000/octo-org/octo-repo",
      auth: { token: JOB, username: "octocat" },
      authSource: "github-token",
    });
    expect(chooseStore({ input: "oci://ghcr.io/o/r", env, ghcrHost }).auth).toBeUndefined();
    expect(chooseStore({ input: "oci://127.0.0.1:5001/o/r", env, ghcrHost }).auth).toBeUndefined();
  });
});

describe("the GHCR host for tests", () => {
  it("is ghcr.io unless LLMOPS_TEST_GHCR_HOST names a loopback registry", () => {
    expect(ghcrHostFromEnv({})).toBe("ghcr.io");
    for (const host of ["127.0.0.1:5000", "localhost:41234", "[::1]:5000"])
      expect(ghcrHostFromEnv({ LLMOPS_TEST_GHCR_HOST: host })).toBe(host);
  });

  it("refuses any other host, so the job token cannot be sent off the machine through it", () => {
    for (const host of ["registry.example.com", "127.0.0.1", "127.0.0.1.example.com:5000", "10.0.0.1:5000", "localhost:5000/x"]) {
      expect(() => ghcrHostFromEnv({ LLMOPS_TEST_GHCR_HOST: host }), host).toThrow(InputError);
    }
  });

  it("matches hosts whole and case-insensitively", () => {
    expect(isGhcrSpec("oci://GHCR.IO/o/r")).toBe(true);
    expect(isGhcrSpec("oci://ghcr.io")).toBe(true);
    expect(isGhcrSpec("ghcr.io/o/r")).toBe(false);
    expect(isGhcrSpec("oci://ghcr.io.evil/o")).toBe(false);
  });
});

describe("describeStoreChoice", () => {
  it("names the store and where it and its credentials came from, never a secret", () => {
    const choice = chooseStore({ env: { ...actions, GITHUB_TOKEN: JOB } });
    const line = describeStoreChoice(choice);
    expect(line).toBe(
      "store oci://ghcr.io/octo-org/octo-repo (GHCR of the repository, the default in GitHub Actions, the job's GITHUB_TOKEN)",
    );
    expect(line).not.toContain(JOB);
    expect(describeStoreChoice(chooseStore({ input: "oci://r.example/x", env: {}, credentials: { username: "u", password: "s3" } }))).toBe(
      "store oci://r.example/x (given, credentials from store-username/store-password)",
    );
    expect(describeStoreChoice(chooseStore({ env: {} }))).toBe("store .llmops/store (the default)");
  });
});

describe("chooseConfiguredStore", () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });

  it("reads store: from the config file, relative or absolute, and reports a bad one with its location", async () => {
    const dir = await mkdtemp(join(tmpdir(), "llmops-choose-"));
    dirs.push(dir);
    await writeFile(join(dir, "llmops.yaml"), "store: oci://r.example/team\nsuites: []\n");
    await writeFile(join(dir, "other.yaml"), "store: 42\n");
    expect(await chooseConfiguredStore({ cwd: dir, env: actions })).toMatchObject({ spec: "oci://r.example/team", source: "config" });
    expect(await chooseConfiguredStore({ cwd: "/", configFile: join(dir, "llmops.yaml"), env: {} })).toMatchObject({ source: "config" });
    expect(await chooseConfiguredStore({ cwd: dir, configFile: "missing.yaml", env: actions })).toMatchObject({ source: "ghcr" });
    expect(await chooseConfiguredStore({ cwd: dir, configFile: "other.yaml", input: "./s", env: {} })).toMatchObject({ source: "input" });
    const error = await chooseConfiguredStore({ cwd: dir, configFile: "other.yaml", env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).location?.line).toBe(1);
  });
});

describe("the run URL", () => {
  it("is built from the runner's variables, once, for provenance too", () => {
    const env = { GITHUB_SERVER_URL: "https://github.com/", GITHUB_REPOSITORY: "o/r", GITHUB_RUN_ID: "42", GITHUB_ACTOR: "me" };
    expect(runUrlFromEnv(env)).toBe("https://github.com/o/r/actions/runs/42");
    expect(runUrlFromEnv({ GITHUB_REPOSITORY: "o/r", GITHUB_RUN_ID: "42" })).toBeUndefined();
    expect(provenanceFromEnv(env)).toEqual({ runUrl: "https://github.com/o/r/actions/runs/42", actor: "me" });
  });
});

describe("credentials written into a store URL", () => {
  const SECRET = "hunter2";
  // RFC 3986 §3.2.1 userinfo, as people write it, including passwords with unescaped @ and /.
  const specs: [spec: string, shown: string][] = [
    [`oci://bob:${SECRET}@registry.example.com/acme`, "oci://registry.example.com/acme"],
    [`oci://bob:${SECRET}@registry.example.com:5000`, "oci://registry.example.com:5000"],
    [`oci://bob:p@ss-${SECRET}@registry.example.com/acme`, "oci://registry.example.com/acme"],
    [`oci://bob:${SECRET}/x@registry.example.com/acme`, "oci://registry.example.com/acme"],
    [`oci://${SECRET}@ghcr.io/o/r`, "oci://ghcr.io/o/r"],
    [`OCI://bob:${SECRET}@registry.example.com/acme`, "OCI://registry.example.com/acme"],
    [`https://bob:${SECRET}@registry.example.com/acme`, "https://registry.example.com/acme"],
  ];

  const refusal = (run: () => unknown): Error => {
    let error: unknown;
    try {
      run();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreCredentialsInUrlError);
    expect((error as InputError).exitCode).toBe(2);
    return error as Error;
  };

  it.each(specs)("%s: refused by chooseStore and openStore, naming %s and where credentials go, never the secret", (spec, shown) => {
    for (const error of [
      refusal(() => chooseStore({ input: spec, env: {} })),
      refusal(() => chooseStore({ config: spec, env: {} })),
      refusal(() => chooseStore({ input: "./store", config: spec, env: {} })),
      refusal(() => openStore(spec, { logger: silentLogger, env: {} })),
    ]) {
      expect(error.message).toBe(
        `store ${shown}: expected no credentials in the URL (user:password@ before the host); put them in store-username/store-password (--store-username/--store-password) or LLMOPS_REGISTRY_USERNAME/LLMOPS_REGISTRY_PASSWORD or LLMOPS_REGISTRY_TOKEN`,
      );
      expect(error.message).not.toContain(SECRET);
      expect(error.message).not.toContain("bob");
      expect(error.stack ?? "").not.toContain(SECRET);
    }
  });

  it("is refused from llmops.yaml too, and a directory path may hold an @", async () => {
    const dir = await mkdtemp(join(tmpdir(), "llmops-choose-"));
    try {
      await writeFile(join(dir, "llmops.yaml"), `store: oci://bob:${SECRET}@registry.example.com/acme\n`);
      const error = await openChosenStore({ cwd: dir, env: {}, logger: silentLogger }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreCredentialsInUrlError);
      expect((error as Error).message).not.toContain(SECRET);
      expect(chooseStore({ input: "./stores/team@2024", env: {} }).spec).toBe("./stores/team@2024");
      expect(openStore("stores/team@2024", { logger: silentLogger, cwd: dir, env: {} }).location).toBe(join(dir, "stores/team@2024"));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("LLMOPS_INSECURE_REGISTRY and GHCR", () => {
  // Refused rather than ignored: GHCR serves https only, so listing it is a mistake or an injected
  // variable, and the job's token goes to it; failing shows it, and nothing has been sent.
  it.each([
    ["ghcr.io", "oci://ghcr.io/octo-org/octo-repo"],
    ["GHCR.IO", "oci://ghcr.io/o/r"],
    ["registry.local, ghcr.io", "oci://GHCR.io/o/r"],
    ["ghcr.io", "oci://ghcr.io:443/o/r"],
    ["ghcr.io:443", "oci://ghcr.io:443/o/r"],
    ["ghcr.io.", "oci://ghcr.io./o/r"],
  ])("LLMOPS_INSECURE_REGISTRY=%j: %s is refused before anything is sent", (listed, spec) => {
    const env = { ...actions, GITHUB_TOKEN: JOB, LLMOPS_INSECURE_REGISTRY: listed };
    let error: unknown;
    try {
      openStore(spec, { logger: silentLogger, env, auth: chooseStore({ input: spec, env }).auth });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InsecureGhcrError);
    expect((error as InputError).exitCode).toBe(2);
    expect((error as Error).message).toBe(
      "LLMOPS_INSECURE_REGISTRY: lists ghcr.io, which is reached over https only (it is sent the job's GITHUB_TOKEN); expected only registries you run over plain http, remove ghcr.io",
    );
  });

  it("refuses the GHCR default in Actions the same way", () => {
    const env = { ...actions, GITHUB_TOKEN: JOB, LLMOPS_INSECURE_REGISTRY: "ghcr.io" };
    const choice = chooseStore({ env });
    expect(choice.authSource).toBe("github-token");
    expect(() => openStore(choice.spec, { logger: silentLogger, env, auth: choice.auth })).toThrow(InsecureGhcrError);
  });

  it("still makes other listed hosts, and loopback (where the GHCR stand-in runs), plain http", () => {
    const env = { LLMOPS_INSECURE_REGISTRY: "registry.local,ghcr.io" };
    expect(openStore("oci://registry.local/x", { logger: silentLogger, env }).location).toBe("oci://registry.local");
    expect(openStore("oci://127.0.0.1:5000/x", { logger: silentLogger, env }).location).toBe("oci://127.0.0.1:5000");
  });
});
