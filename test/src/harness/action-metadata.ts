// Reads the parts of action.yml the runner needs to run a node action.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

export type StepName = "pre" | "main" | "post";

export type ActionMetadata = {
  dir: string;
  name: string;
  inputs: Map<string, { default?: string; required: boolean }>;
  using: string;
  entries: Partial<Record<StepName, string>>;
  preIf: string;
  postIf: string;
};

function scalar(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

export function readActionMetadata(dir: string): ActionMetadata {
  const file = join(dir, "action.yml");
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
  if (typeof doc !== "object" || doc === null) throw new Error(`${file}: expected a mapping`);
  const meta = doc as Record<string, unknown>;
  const runs = meta.runs as Record<string, unknown> | undefined;
  if (!runs || typeof runs.using !== "string") throw new Error(`${file}: runs.using is missing`);
  if (!/^node\d+$/.test(runs.using)) throw new Error(`${file}: runs.using is "${runs.using}", the harness runs node actions only`);
  if (typeof runs.main !== "string") throw new Error(`${file}: runs.main is missing`);
  const inputs = new Map<string, { default?: string; required: boolean }>();
  for (const [name, spec] of Object.entries((meta.inputs as Record<string, unknown> | undefined) ?? {})) {
    const s = (spec ?? {}) as Record<string, unknown>;
    const def = scalar(s.default);
    inputs.set(name, { ...(def !== undefined ? { default: def } : {}), required: s.required === true || s.required === "true" });
  }
  const entries: Partial<Record<StepName, string>> = { main: runs.main };
  if (typeof runs.pre === "string") entries.pre = runs.pre;
  if (typeof runs.post === "string") entries.post = runs.post;
  return {
    dir,
    name: typeof meta.name === "string" ? meta.name : dir,
    inputs,
    using: runs.using,
    entries,
    preIf: scalar(runs["pre-if"]) ?? "always()",
    postIf: scalar(runs["post-if"]) ?? "always()",
  };
}

/** INPUT_<NAME>: upper-cased, spaces to underscores, hyphens kept (the runner's rule). */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, "_").toUpperCase()}`;
}
