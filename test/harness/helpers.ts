import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fixturesRoot } from "../src/harness/paths.ts";

export const actionsRoot = join(fixturesRoot, "actions");

export type Op = [string, ...(string | number)[]];

/** Env that makes a fixture action perform `ops` in each step. */
export function script(ops: Partial<Record<"pre" | "main" | "post", Op[]>>): Record<string, string> {
  return { FIXTURE_SCRIPT: JSON.stringify(ops) };
}

/** What a fixture's `["dump", file]` wrote. */
export function readDump(
  workspace: string,
  file: string,
): { env: Record<string, string>; cwd: string; argv: string[]; version: string; event: Record<string, unknown> | null } {
  return JSON.parse(readFileSync(join(workspace, file), "utf8"));
}
