import { chmod, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { commandTargetSchema } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { TargetError } from "../../src/target.ts";
import { CommandTarget } from "../../src/targets/command.ts";
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
