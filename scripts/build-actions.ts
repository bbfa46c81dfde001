// Bundles every action's src/index.ts into actions/<name>/dist/ with @vercel/ncc.
// Usage: node scripts/build-actions.ts [name...] [--out-root DIR]
//   --out-root writes to DIR/<name>/ instead of actions/<name>/dist (check-dist uses it).
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const ncc = join(root, "node_modules", "@vercel", "ncc", "dist", "ncc", "cli.js");

export function actionNames(): string[] {
  return readdirSync(join(root, "actions"), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, "actions", d.name, "src", "index.ts")))
    .map((d) => d.name)
    .sort();
}

function run(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolvePromise() : reject(new Error(`${command} ${args.join(" ")} exited ${code}`))));
  });
}

/** Builds one action into `outDir`, via a sibling temp dir so a failed build leaves nothing half-written. */
export async function buildAction(name: string, outDir: string): Promise<void> {
  const actionDir = join(root, "actions", name);
  const temp = `${outDir}.tmp-${process.pid}`;
  await rm(temp, { recursive: true, force: true });
  await mkdir(dirname(outDir), { recursive: true });
  await run(
    process.execPath,
    [
      ncc,
      "build",
      "src/index.ts",
      "--out",
      temp,
      "--minify",
      "--transpile-only",
      "--license",
      "licenses.txt",
      "--quiet",
      "--target",
      "es2024",
    ],
    actionDir,
  );
  await rm(outDir, { recursive: true, force: true });
  await rename(temp, outDir);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({ options: { "out-root": { type: "string" } }, allowPositionals: true });
  const names = positionals.length ? positionals : actionNames();
  for (const name of names) {
    const out = values["out-root"] ? join(values["out-root"], name) : join(root, "actions", name, "dist");
    await buildAction(name, out);
    process.stderr.write(`built actions/${name}\n`);
  }
}
