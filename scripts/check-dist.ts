// Fails when a committed actions/<name>/dist differs from a fresh build of its source.
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { actionNames, buildAction, root } from "./build-actions.ts";

async function listFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries
      .filter((e) => e.isFile())
      .map((e) => relative(dir, join(e.parentPath, e.name)))
      .sort();
  } catch {
    return [];
  }
}

const scratch = await mkdtemp(join(tmpdir(), "llmops-check-dist-"));
const stale: string[] = [];
try {
  for (const name of actionNames()) {
    const fresh = join(scratch, name);
    await buildAction(name, fresh);
    const committed = join(root, "actions", name, "dist");
    const [freshFiles, committedFiles] = await Promise.all([listFiles(fresh), listFiles(committed)]);
    for (const file of new Set([...freshFiles, ...committedFiles])) {
      const [a, b] = await Promise.all([readFile(join(fresh, file)).catch(() => null), readFile(join(committed, file)).catch(() => null)]);
      if (!a || !b || !a.equals(b))
        stale.push(`actions/${name}/dist/${file}${!b ? " (missing)" : !a ? " (not produced by the build)" : firstDifference(a, b)}`);
    }
  }
} finally {
  await rm(scratch, { recursive: true, force: true });
}
if (stale.length) {
  process.stderr.write(`check-dist: committed dist differs from a fresh build; run \`pnpm build\` and commit:\n  ${stale.join("\n  ")}\n`);
  process.exit(1);
}
process.stderr.write("check-dist: every actions/*/dist matches its source\n");

/** Where two builds of a text file part, so a difference that only shows up in CI can be read from its log. */
function firstDifference(fresh: Buffer, committed: Buffer): string {
  if (fresh.length > 4_000_000 || committed.length > 4_000_000) return "";
  const a = fresh.toString("utf8").split("\n");
  const b = committed.toString("utf8").split("\n");
  const line = a.findIndex((text, i) => text !== b[i]);
  if (line < 0) return ` (the committed file has ${b.length - a.length} more lines)`;
  const cut = (text: string | undefined) => JSON.stringify((text ?? "").slice(0, 160));
  return ` (line ${line + 1}: built ${cut(a[line])}, committed ${cut(b[line])})`;
}
