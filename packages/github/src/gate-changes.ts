import { execFile } from "node:child_process";
import path from "node:path";
import {
  type BaselineSource,
  type CompareConfig,
  compareSchema,
  type GateConfig,
  gateConfigSchema,
  type Logger,
  oneLine,
  parseLocatedYaml,
  resolveCompareSettings,
} from "@llmops/core";
import type { GateChange } from "@llmops/report";
import { z } from "zod";
import { httpStatus } from "./errors.ts";
import type { GitHubClient } from "./octokit.ts";

/**
 * What a pull request changes in the settings that decide its own verdict: the suites' gates,
 * the regression gates and the baseline of `compare:`. A pull request from a branch of the
 * repository runs its own `llmops.yaml`, so it could loosen a gate and pass; the change is
 * legitimate sometimes, and never invisible: the report shows it at the top.
 */

/** The verdict-deciding parts of one `llmops.yaml`, read leniently so an older or partly invalid base file still yields what it can. */
export interface GateSettings {
  suites: Map<string, GateConfig[]>;
  compare: CompareConfig | undefined;
}

const gatesSchema = z.array(gateConfigSchema);

export function gateSettingsFromText(text: string, file: string): GateSettings {
  const value = parseLocatedYaml(text, file).value as { suites?: unknown; compare?: unknown } | null;
  const suites = new Map<string, GateConfig[]>();
  for (const suite of Array.isArray(value?.suites) ? value.suites : []) {
    const { name, gates } = (suite ?? {}) as { name?: unknown; gates?: unknown };
    if (typeof name !== "string" || suites.has(name)) continue;
    const parsed = gatesSchema.safeParse(gates ?? []);
    suites.set(name, parsed.success ? parsed.data : []);
  }
  const compare = compareSchema.safeParse(value?.compare ?? {});
  return { suites, compare: compare.success ? compare.data : undefined };
}

const number = (v: number | undefined) => (v === undefined ? null : String(v));

function gateKey(gate: GateConfig): string {
  const slice = gate.slice
    ? ` on ${Object.entries(gate.slice)
        .map(([k, v]) => `${k}=${v}`)
        .join(",")}`
    : "";
  const each = gate.eachSlice ? ` on each ${gate.eachSlice}` : "";
  const across = gate.across ? ` across ${gate.across}` : "";
  return `${gate.metric}${slice}${each}${across}`;
}

function keyed(gates: GateConfig[]): Map<string, GateConfig> {
  const out = new Map<string, GateConfig>();
  for (const gate of gates) {
    let key = gateKey(gate);
    for (let n = 2; out.has(key); n++) key = `${gateKey(gate)} #${n}`;
    out.set(key, gate);
  }
  return out;
}

function significance(value: true | { alpha?: number | undefined } | undefined): string | null {
  if (value === undefined) return null;
  return value === true || value.alpha === undefined ? "on" : `alpha ${value.alpha}`;
}

function describeBaseline(source: BaselineSource | undefined): string | null {
  if (!source) return null;
  if ("alias" in source) return `alias ${source.alias} of ${source.artifact}`;
  if ("branch" in source) return "branch";
  return `file ${source.file}`;
}

function push(changes: GateChange[], subject: string, setting: string, before: string | null, after: string | null): void {
  if (before !== after) changes.push({ subject, setting, before, after });
}

/** Every gate setting of `suite` that differs between the base branch's settings and the pull request's, base first. */
export function diffGateSettings(base: GateSettings, head: GateSettings, suite: string): GateChange[] {
  const changes: GateChange[] = [];
  const before = keyed(base.suites.get(suite) ?? []);
  const after = keyed(head.suites.get(suite) ?? []);
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(key);
    const a = after.get(key);
    for (const setting of ["min", "max", "maxGap"] as const) push(changes, key, setting, number(b?.[setting]), number(a?.[setting]));
  }
  const baseCompare = resolveCompareSettings(base.compare, suite);
  const headCompare = resolveCompareSettings(head.compare, suite);
  for (const metric of new Set([...Object.keys(baseCompare.gates), ...Object.keys(headCompare.gates)])) {
    const b = baseCompare.gates[metric];
    const a = headCompare.gates[metric];
    const subject = `compare ${metric}`;
    push(changes, subject, "maxDrop", number(b?.maxDrop), number(a?.maxDrop));
    push(changes, subject, "maxRelativeDrop", number(b?.maxRelativeDrop), number(a?.maxRelativeDrop));
    push(changes, subject, "noSignificantRegression", significance(b?.noSignificantRegression), significance(a?.noSignificantRegression));
  }
  push(changes, "compare", "baseline", describeBaseline(base.compare?.baseline), describeBaseline(head.compare?.baseline));
  push(changes, "compare", "noBaseline", baseCompare.noBaseline, headCompare.noBaseline);
  push(changes, "compare", "alpha", number(baseCompare.alpha), number(headCompare.alpha));
  push(changes, "compare", "maxCostIncrease", number(baseCompare.maxCostIncrease), number(headCompare.maxCostIncrease));
  push(changes, "compare", "maxLatencyIncrease", number(baseCompare.maxLatencyIncrease), number(headCompare.maxLatencyIncrease));
  return changes;
}

/** A base branch's config larger than this is not read: a gate diff is for people. */
const MAX_CONFIG_BYTES = 1024 * 1024;

export type FileAtRef = { found: true; text: string } | { found: false };

function gitShow(cwd: string, spec: string): Promise<{ ok: true; text: string } | { ok: false; stderr: string }> {
  return new Promise((resolve) => {
    execFile("git", ["show", spec], { cwd, maxBuffer: MAX_CONFIG_BYTES, timeout: 30_000, encoding: "utf8" }, (error, stdout, stderr) => {
      resolve(error ? { ok: false, stderr: String(stderr || error.message) } : { ok: true, text: stdout });
    });
  });
}

/**
 * A file of the repository as it is at commit `sha` (the pull request's base), or `found: false`
 * when the commit has no such file; undefined when neither source could tell.
 *
 * The checkout comes first: it costs no request and answers when the base commit was fetched
 * (`fetch-depth: 0`, or 2 on the merge commit). actions/checkout's default fetches only the
 * merge commit, so the REST contents API at the base SHA is the fallback; it needs
 * `contents: read`, which the default workflow token has.
 */
export async function readFileAtRef(options: {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  /** Path relative to `cwd`, the repository's root (GITHUB_WORKSPACE). */
  path: string;
  sha: string;
  cwd: string;
  logger: Logger;
}): Promise<FileAtRef | undefined> {
  const relative = path.relative(options.cwd, path.resolve(options.cwd, options.path)).split(path.sep).join("/");
  if (relative.startsWith("../") || relative === ".." || path.isAbsolute(relative) || !/^[0-9a-f]{40}$/i.test(options.sha))
    return undefined;
  const git = await gitShow(options.cwd, `${options.sha}:./${relative}`);
  if (git.ok) return { found: true, text: git.text };
  if (/does not exist in|exists on disk, but not in/.test(git.stderr)) return { found: false };
  options.logger.debug(`git cannot show ${relative} at ${options.sha.slice(0, 7)} (${oneLine(git.stderr)}); asking GitHub`);
  try {
    const { data } = await options.octokit.rest.repos.getContent({
      owner: options.owner,
      repo: options.repo,
      path: relative,
      ref: options.sha,
      mediaType: { format: "raw" },
    });
    const text = typeof data === "string" ? data : undefined;
    if (text === undefined || Buffer.byteLength(text) > MAX_CONFIG_BYTES) return undefined;
    return { found: true, text };
  } catch (error) {
    if (httpStatus(error) === 404) return { found: false };
    options.logger.debug(`GitHub cannot show ${relative} at ${options.sha.slice(0, 7)}: ${oneLine(error)}`);
    return undefined;
  }
}
