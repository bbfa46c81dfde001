// Bundles every action's src/index.ts into actions/<name>/dist/ with @vercel/ncc.
// Usage: node scripts/build-actions.ts [name...] [--out-root DIR]
//   --out-root writes to DIR/<name>/ instead of actions/<name>/dist (check-dist uses it).
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
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
  const stats = `${temp}.stats.json`;
  await rm(temp, { recursive: true, force: true });
  await mkdir(dirname(outDir), { recursive: true });
  try {
    await run(
      process.execPath,
      [ncc, "build", "src/index.ts", "--out", temp, "--minify", "--transpile-only", "--stats-out", stats, "--quiet", "--target", "es2024"],
      actionDir,
    );
    await writeFile(join(temp, "licenses.txt"), await renderLicenses(await bundledPackages(stats)));
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  } finally {
    await rm(stats, { force: true });
  }
  await rm(outDir, { recursive: true, force: true });
  await rename(temp, outDir);
}

// ncc's own --license keys packages by name and keeps whichever version webpack happened to
// reach first, so a bundle holding two versions of one package (isarray 1 and 2, minimatch 5 and 9)
// got a different licenses.txt from build to build. We list every bundled name@version instead,
// read from webpack's stats, in a fixed order.
const PNPM_PACKAGE = /node_modules\/\.pnpm\/[^/]+\/node_modules\/(?:@[^/]+\/)?[^/!|?]+\//g;

interface StatsModule {
  identifier?: string;
  modules?: StatsModule[];
}

/** Directories of the npm packages webpack bundled, from a stats file written by `ncc --stats-out`. */
async function bundledPackages(statsFile: string): Promise<string[]> {
  const stats = JSON.parse(await readFile(statsFile, "utf8")) as { modules?: StatsModule[]; children?: { modules?: StatsModule[] }[] };
  const dirs = new Set<string>();
  const walk = (modules: StatsModule[] | undefined): void => {
    for (const module of modules ?? []) {
      // An id is a loader chain ending in the resource path, sometimes with a `type|` prefix.
      const last = module.identifier?.split("!").at(-1) ?? "";
      const resource = last.slice(last.indexOf("/"));
      for (const match of resource.matchAll(PNPM_PACKAGE)) {
        const dir = resource.slice(0, match.index + match[0].length - 1);
        dirs.add(dir);
      }
      walk(module.modules);
    }
  };
  walk(stats.modules);
  for (const child of stats.children ?? []) walk(child.modules);
  return [...dirs];
}

const LICENSE_FILE = /^(licen[cs]e|copying)(\.(md|txt|markdown))?$/i;

/** name@version, SPDX id and license text of each package, sorted by name then version. */
async function renderLicenses(packageDirs: string[]): Promise<string> {
  const entries = await Promise.all(
    packageDirs.map(async (dir) => {
      const manifest = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as {
        name: string;
        version: string;
        license?: unknown;
      };
      const file = readdirSync(dir)
        .filter((name) => LICENSE_FILE.test(name))
        .sort()[0];
      const text = file ? (await readFile(join(dir, file), "utf8")).trim() : "";
      const license = typeof manifest.license === "string" ? manifest.license : "";
      return { id: `${manifest.name}@${manifest.version}`, body: [license, text].filter(Boolean).join("\n") };
    }),
  );
  const unique = new Map(entries.map((entry) => [entry.id, entry.body]));
  const ids = [...unique.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `${ids.map((id) => `${id}\n${unique.get(id)}`).join("\n\n")}\n`;
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
