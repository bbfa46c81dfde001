import { chmod, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { commandTargetSchema } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { TargetError } from "../../src/target.ts";
import { CommandTarget } from "../../src/targets/command.ts";
import { shortenUrl, stripUrls } from "../../src/targets/shared.ts";
import { context, layoutStore, rejection, tempDir } from "./helpers.ts";

/** Whether a process runs (a zombie does not: PID 1 of a container may never reap it). */
async function alive(pid: number): Promise<boolean> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => undefined);
  if (status !== undefined) return !/^State:\s+Z/m.test(status);
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function setup(script: string, config: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}) {
  const dir = await tempDir();
  const { store, version } = await layoutStore(dir);
  await writeFile(join(dir, "deploy.sh"), `#!/bin/sh\n${script}\n`);
  await chmod(join(dir, "deploy.sh"), 0o755);
  const target = new CommandTarget(commandTargetSchema.parse({ type: "command", argv: ["./deploy.sh"], ...config }), { killGraceMs: 200 });
  const ctx = () => context({ store, configDir: dir, env: { PATH: process.env.PATH, ...env } });
  return { dir, store, version, target, ctx };
}

const DUMP = `{ env | grep '^LLMOPS_\\|^EXTRA=' | sort; echo "files: $(cd "$LLMOPS_MODEL_PATH" 2>/dev/null && find . -type f | sort | tr '\\n' ' ')"; echo "cwd: $(pwd)"; echo "args: $*"; } > "$OUT/$LLMOPS_ACTION.txt"`;

describe("command target", () => {
  it("runs argv without a shell, with the version materialized and described in LLMOPS_* variables", async () => {
    const { dir, version, ctx } = await setup(DUMP);
    const v = await version({ "model.onnx": "weights", "tokenizer/vocab.txt": "a" });
    const c = ctx();
    const target = new CommandTarget(
      commandTargetSchema.parse({ type: "command", argv: ["./deploy.sh", "a b", "$HOME"], env: { EXTRA: "1", OUT: dir } }),
    );
    const result = await target.apply(v, c);
    expect(result).toMatchObject({
      type: "command",
      summary: "command ./deploy.sh (apply, exit 0)",
      details: { exitCode: 0, digest: v.digest },
    });
    const dump = await readFile(join(dir, "apply.txt"), "utf8");
    const vars = Object.fromEntries(
      dump
        .split("\n")
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    expect(vars).toMatchObject({
      EXTRA: "1",
      LLMOPS_ACTION: "apply",
      LLMOPS_ENVIRONMENT: "production",
      LLMOPS_MODEL_NAME: "team/sentiment",
      LLMOPS_MODEL_DIGEST: v.digest,
      LLMOPS_MODEL_VERSION: v.version,
      LLMOPS_PROMOTION_ID: c.promotionId,
    });
    expect(dump).toContain("files: ./model.onnx ./tokenizer/vocab.txt ");
    expect(dump).toContain(`cwd: ${dir}`);
    expect(dump).toContain("args: a b $HOME");
    // The temp copy is gone afterwards.
    expect(await stat(vars.LLMOPS_MODEL_PATH!).catch((e: NodeJS.ErrnoException) => e.code)).toBe("ENOENT");
  });

  it("rollback runs rollbackArgv with the previous version, or with an empty digest when there is none", async () => {
    const dir = await tempDir();
    const { store, version } = await layoutStore(dir);
    await writeFile(join(dir, "deploy.sh"), `#!/bin/sh\n${DUMP}\n`);
    await writeFile(join(dir, "undo.sh"), `#!/bin/sh\nOUT="$OUT/undo" && mkdir -p "$OUT" && ${DUMP}\n`);
    await chmod(join(dir, "deploy.sh"), 0o755);
    await chmod(join(dir, "undo.sh"), 0o755);
    const target = new CommandTarget(
      commandTargetSchema.parse({ type: "command", argv: ["./deploy.sh"], rollbackArgv: ["./undo.sh", "now"], env: { OUT: dir } }),
    );
    const c = context({ store, configDir: dir, env: { PATH: process.env.PATH } });
    const v1 = await version({ "model.onnx": "one" });
    const v2 = await version({ "model.onnx": "two" });
    const applied = await target.apply(v2, c);
    await target.rollback(v1, applied, c);
    let dump = await readFile(join(dir, "undo", "rollback.txt"), "utf8");
    expect(dump).toContain(`LLMOPS_MODEL_DIGEST=${v1.digest}`);
    expect(dump).toContain("LLMOPS_ACTION=rollback");
    expect(dump).toContain("args: now");
    expect(dump).toContain("files: ./model.onnx");
    await target.rollback(null, applied, c);
    dump = await readFile(join(dir, "undo", "rollback.txt"), "utf8");
    expect(dump).toContain("LLMOPS_MODEL_DIGEST=\n");
    expect(dump).toContain("LLMOPS_MODEL_PATH=\n");
    expect(dump).toContain("LLMOPS_MODEL_NAME=team/sentiment\n");
  });

  it("a non-zero exit is one TargetError with the last 20 lines of stderr, secrets masked", async () => {
    const script = 'i=1; while [ $i -le 30 ]; do echo "line $i token=$API_TOKEN" >&2; i=$((i+1)); done; echo "to stdout"; exit 3';
    const { version, target, ctx } = await setup(script, {}, { API_TOKEN: "ghp_supersecretvalue" });
    const error = await rejection(target.apply(await version({ "m.onnx": "w" }), ctx()));
    expect(error).toBeInstanceOf(TargetError);
    const [first, ...tail] = error.message.split("\n");
    expect(first).toBe("target command: ./deploy.sh exited with code 3 (apply); last lines of stderr:");
    expect(tail).toHaveLength(20);
    expect(tail[0]).toBe("  line 11 token=***");
    expect(tail[19]).toBe("  line 30 token=***");
    expect(error.message).not.toContain("ghp_supersecretvalue");
  });

  it("publishes no credential of the environment in the stderr tail: URL values to their origin, credential-named values masked", async () => {
    const hook = "https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX";
    const deploy = "https://deploy.example.com/api/hooks/8f3a9c?key=abc123def456";
    const script = [
      'echo "posting to $SLACK_WEBHOOK_URL failed" >&2',
      'echo "deploy hook: $DEPLOY_HOOK_URL" >&2',
      'echo "release hook secret: $RELEASE_HOOK" >&2',
      "echo \"inputs: [$(printenv 'INPUT_GITHUB-TOKEN')] [$(printenv 'INPUT_STORE-PASSWORD')]\" >&2",
      'echo "runtime: [$ACTIONS_RUNTIME_TOKEN] [$ACTIONS_ID_TOKEN_REQUEST_URL]" >&2',
      'echo "curl: (22) https://user:pa55word@registry.example.com/v2/x/manifests/latest?sig=zzz returned 401" >&2',
      'echo "server https://github.com is fine" >&2',
      "exit 1",
    ].join("\n");
    const env = {
      SLACK_WEBHOOK_URL: hook,
      RELEASE_HOOK: "rh_5ecret_value",
      "INPUT_GITHUB-TOKEN": "ghs_inputtokenvalue",
      "INPUT_STORE-PASSWORD": "store-pass-value",
      ACTIONS_RUNTIME_TOKEN: "eyJruntime.token.value",
      ACTIONS_ID_TOKEN_REQUEST_URL: "https://pipelines.actions.githubusercontent.com/abc/idtoken?api-version=2.0",
      GITHUB_SERVER_URL: "https://github.com",
    };
    const { version, target, ctx } = await setup(script, { env: { DEPLOY_HOOK_URL: deploy } }, env);
    const c = ctx();
    const error = await rejection(target.apply(await version({ "m.onnx": "w" }), c));
    expect(error).toBeInstanceOf(TargetError);
    for (const secret of [
      "T0000/B0000",
      "XXXXXXXXXXXXXXXX",
      "8f3a9c",
      "abc123def456",
      "rh_5ecret_value",
      "ghs_inputtokenvalue",
      "store-pass-value",
      "eyJruntime",
      "idtoken",
      "pa55word",
      "sig=zzz",
    ]) {
      expect(error.message).not.toContain(secret);
    }
    expect(error.message.split("\n").slice(1)).toEqual([
      "  posting to https://hooks.slack.com/… failed",
      "  deploy hook: https://deploy.example.com/…",
      "  release hook secret: ***",
      "  inputs: [] []",
      "  runtime: [] []",
      "  curl: (22) https://registry.example.com/… returned 401",
      "  server https://github.com is fine",
    ]);
    // The job log: values of the environment masked as well (URLs not from it stay whole there).
    const log = c.logger.lines.map((e) => e.message).join("\n");
    expect(log).not.toContain("T0000/B0000");
    expect(log).not.toContain("rh_5ecret_value");
    expect(log).toContain("posting to https://hooks.slack.com/… failed");
  });

  it("withholds the action's inputs and the runner's credentials from the program, keeping the rest and the target's env", async () => {
    const { dir, version, ctx } = await setup("");
    await writeFile(join(dir, "env.sh"), `#!/bin/sh\nenv > "${dir}/env.txt"\n`);
    await chmod(join(dir, "env.sh"), 0o755);
    const target = new CommandTarget(
      commandTargetSchema.parse({ type: "command", argv: ["./env.sh"], env: { INPUT_MINE: "set in llmops.yaml" } }),
    );
    const base = ctx();
    const job = {
      ...base.env,
      "INPUT_GITHUB-TOKEN": "ghs_inputtokenvalue",
      "INPUT_STORE-PASSWORD": "store-pass-value",
      INPUT_ENVIRONMENT: "production",
      ACTIONS_RUNTIME_TOKEN: "eyJruntime.token.value",
      ACTIONS_RUNTIME_URL: "https://pipelines.actions.githubusercontent.com/abc/",
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: "eyJid.token.value",
      ACTIONS_ID_TOKEN_REQUEST_URL: "https://pipelines.actions.githubusercontent.com/abc/idtoken?api-version=2.0",
      ACTIONS_CACHE_URL: "https://artifactcache.actions.githubusercontent.com/abc/",
      ACTIONS_RESULTS_URL: "https://results-receiver.actions.githubusercontent.com/",
      ACTIONS_STEP_DEBUG: "false",
      GITHUB_TOKEN: "ghs_set_by_the_workflow",
      GITHUB_REPOSITORY: "acme/models",
      DEPLOY_HOOK_URL: "https://deploy.example.com/hook",
    };
    await target.apply(await version({ "m.onnx": "w" }), { ...base, env: job });
    const names = (await readFile(join(dir, "env.txt"), "utf8"))
      .split("\n")
      .map((line) => line.slice(0, line.indexOf("=")))
      .filter(Boolean);
    expect(names.filter((n) => /^INPUT_|^ACTIONS_(RUNTIME|ID_TOKEN|CACHE|RESULTS)/.test(n))).toEqual(["INPUT_MINE"]);
    expect(names).toEqual(expect.arrayContaining(["GITHUB_TOKEN", "GITHUB_REPOSITORY", "DEPLOY_HOOK_URL", "ACTIONS_STEP_DEBUG", "PATH"]));
  });

  it("shortens URLs to their origin: paths, queries and credentials go, bare origins stay", () => {
    expect(shortenUrl("https://hooks.slack.com/services/T000/B000/XXXX")).toBe("https://hooks.slack.com/…");
    expect(shortenUrl("https://github.com")).toBe("https://github.com");
    expect(shortenUrl("https://github.com/")).toBe("https://github.com/");
    expect(shortenUrl("https://u:p@host:8443")).toBe("https://host:8443/…");
    expect(shortenUrl("https://u:p/w@host/x")).toBe("https://…");
    expect(shortenUrl("http://127.0.0.1:9000?token=x")).toBe("http://127.0.0.1:9000/…");
    expect(stripUrls("failed (https://hooks.slack.com/services/T000/B000/XXXX). see http://x.io/a#b, ok")).toBe(
      "failed (https://hooks.slack.com/…). see http://x.io/…, ok",
    );
    expect(stripUrls('url="s3://bucket/models/key?X-Amz-Signature=abc" done')).toBe('url="s3://bucket/…" done');
  });

  it("a timeout kills the whole process group", async () => {
    const { dir, version, ctx } = await setup("");
    await writeFile(join(dir, "slow.sh"), `#!/bin/sh\nsleep 30 &\necho $! > "${dir}/child.pid"\necho started >&2\nwait\n`);
    await chmod(join(dir, "slow.sh"), 0o755);
    const target = new CommandTarget(commandTargetSchema.parse({ type: "command", argv: ["./slow.sh"], timeoutMs: 500 }), {
      killGraceMs: 200,
    });
    const started = Date.now();
    const error = await rejection(target.apply(await version({ "m.onnx": "w" }), ctx()));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(error.message).toBe(
      "target command: ./slow.sh did not finish within 500 ms; its process group was killed; last lines of stderr:\n  started",
    );
    const pid = Number(await readFile(join(dir, "child.pid"), "utf8"));
    await new Promise((r) => setTimeout(r, 100));
    expect(await alive(pid)).toBe(false);
  });

  it("a program that cannot be started is one error naming it", async () => {
    const { version, ctx } = await setup("");
    const target = new CommandTarget(commandTargetSchema.parse({ type: "command", argv: ["./missing.sh"] }));
    const error = await rejection(target.apply(await version({ "m.onnx": "w" }), ctx()));
    expect(error.message).toBe("target command: ./missing.sh could not be started (ENOENT)");
  });
});
