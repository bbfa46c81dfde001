// A promotion stopped by SIGTERM (a cancelled workflow run) undoes what it applied, records it and
// exits 143, as a shell expects of a process stopped by that signal.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";

const bin = join(import.meta.dirname, "..", "bin", "llmops.js");
let cwd: string;
afterEach(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe("llmops promote stopped by a signal", () => {
  it("rolls the applied target back, records the interruption and exits 143", async () => {
    cwd = await mkdtemp(join(tmpdir(), "llmops-promote-signal-"));
    await mkdir(join(cwd, "model"));
    await writeFile(join(cwd, "model", "weights.bin"), "weights");
    // The target's apply marks that it started and then takes its time; its rollback leaves a mark.
    const apply = `const fs=require("fs");if(process.env.LLMOPS_ACTION==="rollback"){fs.writeFileSync("rolled-back","");process.exit(0)}fs.writeFileSync("applied","");setTimeout(()=>{},1)`;
    const slow = `require("fs").writeFileSync("started","");setTimeout(()=>{},30000)`;
    await writeFile(
      join(cwd, "llmops.yaml"),
      `store: ./store
artifacts:
  m: { kind: model, path: model }
environments:
  staging:
    targets:
      - { type: command, argv: [${JSON.stringify(process.execPath)}, -e, ${JSON.stringify(apply)}] }
      - { type: command, argv: [${JSON.stringify(process.execPath)}, -e, ${JSON.stringify(slow)}], rollbackArgv: [${JSON.stringify(process.execPath)}, -e, "0"] }
`,
    );
    const env: NodeJS.ProcessEnv = { ...process.env, LLMOPS_CACHE_DIR: join(cwd, ".cache") };
    for (const key of Object.keys(env)) if (key.startsWith("GITHUB_")) delete env[key];
    const made = spawnSync(process.execPath, [bin, "version", "--json"], { cwd, env, encoding: "utf8" });
    expect(made.status, made.stderr).toBe(0);

    const child = spawn(process.execPath, [bin, "promote", "m:v1", "--to", "staging", "--json"], { cwd, env });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    for (let i = 0; i < 200 && !existsSync(join(cwd, "started")); i++) await sleep(50);
    expect(existsSync(join(cwd, "started"))).toBe(true);
    child.kill("SIGTERM");

    expect(await exited).toBe(143);
    const result = JSON.parse(stdout) as { outcome: string; interrupted?: boolean; serving: string | null };
    expect(result).toMatchObject({ outcome: "failed", interrupted: true, serving: null });
    expect(existsSync(join(cwd, "rolled-back"))).toBe(true);
    const tags = spawnSync(process.execPath, [bin, "ls", "m", "--json"], { cwd, env, encoding: "utf8" });
    expect(tags.stdout).not.toContain('"staging"');
  });
});
