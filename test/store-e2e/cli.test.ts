import { spawnSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { main } from "@llmops/cli";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { skopeo, skopeoInspectRaw, startRegistry, type TestRegistry } from "../src/registry.ts";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function workspace(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "llmops-cli-"));
  dirs.push(dir);
  await mkdir(join(dir, "model", "sub"), { recursive: true });
  await writeFile(join(dir, "model", "weights.bin"), Buffer.alloc(4096, 1));
  await writeFile(join(dir, "model", "sub", "config.json"), '{"a":1}');
  return dir;
}

async function llmops(cwd: string, args: string[], env: Record<string, string> = {}) {
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
  const code = await main(args, { stdout, stderr, cwd, env: { LLMOPS_CACHE_DIR: join(cwd, ".cache"), ...env } });
  return { code, stdout: out, stderr: err };
}

describe("llmops version/fetch/tag/ls/history on the default layout store", () => {
  it("versions, lists, fetches, tags with compare-and-swap and shows history, with --json documents", async () => {
    const cwd = await workspace();
    const v1 = await llmops(
      cwd,
      ["version", "model", "--name", "team/clf", "--kind", "model", "--alias", "latest", "--label", "task=clf", "--json"],
      {
        GITHUB_SHA: "abc123",
        GITHUB_REF: "refs/heads/main",
      },
    );
    expect(v1.code).toBe(0);
    const r1 = JSON.parse(v1.stdout);
    expect(r1).toMatchObject({ name: "team/clf", version: "v1", ref: "team/clf:v1", reusedBytes: 0, uploadedBytes: 4103 });
    expect(r1.store).toBe(join(cwd, ".llmops/store"));
    const config = JSON.parse(skopeo(["inspect", "--raw", "--config", `oci:${join(cwd, ".llmops/store")}:team/clf:latest`]));
    expect(config).toMatchObject({ git: { commit: "abc123", ref: "refs/heads/main" }, labels: { task: "clf" } });

    await writeFile(join(cwd, "model", "sub", "config.json"), '{"a":2}');
    const v2 = await llmops(cwd, ["version", "model", "--name", "team/clf", "--kind", "model", "--parent", "team/clf:v1"]);
    expect(v2.code).toBe(0);
    expect(v2.stdout).toMatch(/^team\/clf:v2 {2}sha256:[a-f0-9]{64}\n/);
    expect(v2.stdout).toContain("7 B stored, 4.0 KiB reused");

    const ls = JSON.parse((await llmops(cwd, ["ls", "team/clf", "--json"])).stdout);
    expect(ls.versions.map((v: { version: string; aliases: string[] }) => [v.version, v.aliases])).toEqual([
      ["v2", []],
      ["v1", ["latest"]],
    ]);
    expect(JSON.parse((await llmops(cwd, ["ls", "--json"])).stdout)).toEqual({ names: ["team/clf"] });

    const fetched = await llmops(cwd, ["fetch", "team/clf:latest", "out", "--json"]);
    expect(fetched.code).toBe(0);
    expect(JSON.parse(fetched.stdout)).toMatchObject({ digest: r1.digest, version: "v1", downloadedBytes: 4103 });
    expect(await readFile(join(cwd, "out", "sub", "config.json"), "utf8")).toBe('{"a":1}');

    const v2digest = ls.versions[0].digest;
    const lost = await llmops(cwd, ["tag", "team/clf:v2", "latest", "--expect", v2digest]);
    expect(lost.code).toBe(2);
    expect(lost.stderr).toContain(`points at ${r1.digest}`);
    const moved = await llmops(cwd, ["tag", "team/clf:v2", "latest", "--expect", r1.digest, "--json"], { GITHUB_ACTOR: "octocat" });
    expect(moved.code).toBe(0);
    expect(JSON.parse(moved.stdout)).toMatchObject({ alias: "latest", digest: v2digest, previous: r1.digest });

    const history = JSON.parse((await llmops(cwd, ["history", "team/clf:latest", "--json"])).stdout);
    expect(history.moves.map((m: { from: string | null; to: string; actor?: string }) => [m.from, m.to, m.actor])).toEqual([
      [r1.digest, v2digest, "octocat"],
      [null, r1.digest, undefined],
    ]);
  });

  it("versions every artifact llmops.yaml declares when given no path, and only what changed on the next run", async () => {
    const cwd = await workspace();
    await mkdir(join(cwd, "data"));
    await writeFile(join(cwd, "data", "train.jsonl"), '{"text":"good","label":1}\n');
    await writeFile(
      join(cwd, "llmops.yaml"),
      [
        "artifacts:",
        "  team/clf: { kind: model, path: model, parents: [team/reviews:latest], params: { ngrams: 2 } }",
        "  team/reviews: { kind: dataset, path: data, aliases: [latest] }",
        "",
      ].join("\n"),
    );
    const first = await llmops(cwd, ["version", "--json"]);
    expect(first.code).toBe(0);
    const made = JSON.parse(first.stdout).versions as { ref: string; unchanged?: boolean; parents: { digest: string }[]; digest: string }[];
    expect(made.map((v) => [v.ref, v.unchanged ?? false])).toEqual([
      ["team/reviews:v1", false],
      ["team/clf:v1", false],
    ]);
    expect(made[1]!.parents[0]!.digest).toBe(made[0]!.digest);

    await writeFile(join(cwd, "model", "sub", "config.json"), '{"a":2}');
    const second = await llmops(cwd, ["version"]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(
      /^team\/reviews:v1 {2}sha256:[a-f0-9]{64} {2}\(unchanged\)\nteam\/clf:v2 {2}sha256:[a-f0-9]{64} {2}\(2 files, /,
    );
    const only = await llmops(cwd, ["version", "--only", "team/reviews", "--json"]);
    expect(JSON.parse(only.stdout).versions.map((v: { ref: string }) => v.ref)).toEqual(["team/reviews:v1"]);

    const unknown = await llmops(cwd, ["version", "--only", "team/nope"]);
    expect([unknown.code, unknown.stderr.split("\n")[0]]).toEqual([
      2,
      'llmops version: artifact "team/nope": not declared in llmops.yaml (declared: team/clf, team/reviews)',
    ]);
    const mixed = await llmops(cwd, ["version", "--name", "x"]);
    expect([mixed.code, mixed.stderr.split("\n")[0]]).toEqual([
      2,
      "llmops version: --name needs a <path>; declared artifacts take theirs from llmops.yaml",
    ]);
  });

  it.each([
    [["version", "missing-dir", "--name", "m", "--kind", "model"], /path missing-dir: not found/],
    [["version", "empty", "--name", "m", "--kind", "model"], /path empty: empty directory/],
    [["version", "model", "--name", "Bad Name", "--kind", "model"], /name "Bad Name": expected an OCI repository name/],
    [["version", "model", "--name", "m", "--kind", "weights"], /--kind weights: expected model or dataset/],
    [["fetch", "m@sha256:xyz", "out"], /ref "m@sha256:xyz"/],
    [["fetch", "m:v1", "out"], /ref m:v1: not found in store/],
    [["history", "m"], /m: expected <NAME>:<ALIAS>/],
  ])("%j: one-line error, exit 2, nothing written", async (args, message) => {
    const cwd = await workspace();
    await mkdir(join(cwd, "empty"));
    const r = await llmops(cwd, args);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toMatch(message);
    expect(r.stdout).toBe("");
    expect((await readdir(cwd)).sort()).toEqual(["empty", "model"]);
  });

  it("fetch into a non-empty directory it did not write: exit 2 naming --replace, untouched; --replace and re-fetches work", async () => {
    const cwd = await workspace();
    expect((await llmops(cwd, ["version", "model", "--name", "m", "--kind", "model"])).code).toBe(0);
    await mkdir(join(cwd, "mine"));
    await writeFile(join(cwd, "mine", "notes.txt"), "keep me");
    const refused = await llmops(cwd, ["fetch", "m:v1", "mine"]);
    expect([refused.code, refused.stderr]).toEqual([
      2,
      `llmops fetch: destination ${join(cwd, "mine")} is not empty and was not written by llmops fetch; pass --replace to make it hold exactly m:v1 (files not in it are removed)\n`,
    ]);
    expect(await readdir(join(cwd, "mine"))).toEqual(["notes.txt"]);
    const replaced = await llmops(cwd, ["fetch", "m:v1", "mine", "--replace"]);
    expect(replaced.code).toBe(0);
    expect((await readdir(join(cwd, "mine"))).sort()).toEqual(["sub", "weights.bin"]);

    expect((await llmops(cwd, ["fetch", "m:v1", "out"])).code).toBe(0);
    await writeFile(join(cwd, "model", "sub", "config.json"), '{"a":2}');
    expect((await llmops(cwd, ["version", "model", "--name", "m", "--kind", "model"])).code).toBe(0);
    const again = await llmops(cwd, ["fetch", "m:v2", "out", "--json"]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ version: "v2", downloadedBytes: 7 });
    expect((await llmops(cwd, ["fetch", "--help"])).stdout).toMatch(
      /--replace +make a non-empty <DIR> that llmops fetch did not write hold exactly <REF>/,
    );
  });

  it("refuses credentials in --store without ever printing them", async () => {
    const cwd = await workspace();
    const r = await llmops(cwd, ["ls", "--store", "oci://bob:hunter2@registry.example.com/acme"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "llmops ls: store oci://registry.example.com/acme: expected no credentials in the URL (user:password@ before the host); put them in store-username/store-password (--store-username/--store-password) or LLMOPS_REGISTRY_USERNAME/LLMOPS_REGISTRY_PASSWORD or LLMOPS_REGISTRY_TOKEN\n",
    );
    const verbose = await llmops(cwd, ["fetch", "m:v1", "out", "-v", "--store", "oci://bob:hunter2@registry.example.com/acme"]);
    expect(verbose.code).toBe(2);
    expect(verbose.stderr + verbose.stdout).not.toContain("hunter2");
  });

  it("prints periodic progress lines in CI for a large version", async () => {
    const cwd = await workspace();
    await writeFile(join(cwd, "model", "big.bin"), Buffer.alloc(9 * 1024 * 1024, 2));
    const r = await llmops(cwd, ["version", "model", "--name", "big", "--kind", "dataset"], { CI: "true" });
    expect(r.code).toBe(0);
    const lines = r.stderr.split("\n").filter((l) => l.startsWith("version big: "));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.at(-1)).toMatch(/100% \(9\.0 MiB\/9\.0 MiB\)/);
  });

  it("runs as a process: exit codes from the bin", async () => {
    const cwd = await workspace();
    const bin = join(import.meta.dirname, "../../packages/cli/bin/llmops.js");
    const node = join(import.meta.dirname, "../../node_modules/.bin/node");
    const env = { ...process.env, LLMOPS_CACHE_DIR: join(cwd, ".cache") };
    const ok = spawnSync(node, [bin, "version", "model", "--name", "m", "--kind", "model", "--json"], { cwd, env, encoding: "utf8" });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).version).toBe("v1");
    const bad = spawnSync(node, [bin, "fetch", "m:nope", "x"], { cwd, env, encoding: "utf8" });
    expect(bad.status).toBe(2);
  });
});

describe("unreadable input", () => {
  // Root reads everything, so as root the check runs the CLI as `nobody` (setpriv); otherwise as ourselves.
  it("an unreadable file: one-line error naming it, exit 2, nothing written", async () => {
    const cwd = await workspace();
    await writeFile(join(cwd, "model", "secret.bin"), "x");
    await chmod(join(cwd, "model", "secret.bin"), 0o000);
    await chmod(cwd, 0o777);
    const bin = join(import.meta.dirname, "../../packages/cli/bin/llmops.js");
    const node = join(import.meta.dirname, "../../node_modules/.bin/node");
    const asRoot = process.getuid?.() === 0;
    const command = asRoot ? "setpriv" : node;
    const args = [
      ...(asRoot ? ["--reuid=65534", "--regid=65534", "--clear-groups", node] : []),
      bin,
      "version",
      "model",
      "--name",
      "m",
      "--kind",
      "model",
    ];
    const r = spawnSync(command, args, {
      cwd,
      env: { PATH: process.env.PATH ?? "", LLMOPS_CACHE_DIR: join(cwd, ".cache") },
      encoding: "utf8",
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe("llmops version: path model/secret.bin: file is not readable");
    expect((await readdir(cwd)).sort()).toEqual(["model"]);
  });
});

describe("llmops against a registry", () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth: "basic" });
  });
  afterAll(async () => {
    await registry?.close();
  });

  it("takes the store from llmops.yaml and credentials from the environment; refused credentials exit 3", async () => {
    const cwd = await workspace();
    await writeFile(join(cwd, "llmops.yaml"), `store: oci://${registry.host}/proj\n`);
    const env = { LLMOPS_REGISTRY_USERNAME: registry.username!, LLMOPS_REGISTRY_PASSWORD: registry.password! };
    const v = await llmops(cwd, ["version", "model", "--name", "m", "--kind", "dataset", "--json"], env);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout).store).toBe(`oci://${registry.host}`);
    expect(JSON.parse(v.stdout).ref).toBe("m:v1");
    const raw = skopeoInspectRaw(registry, "proj/m:v1") as { artifactType: string };
    expect(raw.artifactType).toBe("application/vnd.llmops.dataset.v1+json");
    const f = await llmops(cwd, ["fetch", "m:v1", "out", "--json"], env);
    expect(f.code).toBe(0);
    const refused = await llmops(cwd, ["ls", "m"], {
      LLMOPS_REGISTRY_USERNAME: registry.username!,
      LLMOPS_REGISTRY_PASSWORD: "wrong-password",
    });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/HTTP 401/);
    expect(refused.stderr).not.toContain("wrong-password");
  });

  it("in GitHub Actions with no store anywhere uses GHCR of the repository, as the actions do; flags beat the environment", async () => {
    const cwd = await workspace();
    const env = {
      GITHUB_ACTIONS: "true",
      GITHUB_REPOSITORY: "Octo-Org/Octo-Repo",
      LLMOPS_TEST_GHCR_HOST: registry.host,
      LLMOPS_REGISTRY_USERNAME: registry.username!,
      LLMOPS_REGISTRY_PASSWORD: "wrong-password",
    };
    const flags = ["--store-username", registry.username!, "--store-password", registry.password!];
    const v = await llmops(cwd, ["version", "model", "--name", "m", "--kind", "model", "--json", "-v", ...flags], env);
    expect(v.code).toBe(0);
    expect(v.stderr).toContain(
      `debug: store oci://${registry.host}/octo-org/octo-repo (GHCR of the repository, the default in GitHub Actions, credentials from store-username/store-password)`,
    );
    expect(v.stderr).not.toContain(registry.password!);
    expect((skopeoInspectRaw(registry, "octo-org/octo-repo/m:v1") as { artifactType: string }).artifactType).toBe(
      "application/vnd.llmops.model.v1+json",
    );
    const ls = await llmops(cwd, ["ls", "m", "--json", ...flags], env);
    expect(JSON.parse(ls.stdout).versions).toHaveLength(1);
  });
});
