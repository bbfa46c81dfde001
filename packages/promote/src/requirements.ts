import {
  EVAL_ARTIFACT_TYPE,
  type EvidenceRef,
  type EvidenceRequirement,
  InputError,
  type LlmopsConfig,
  type Logger,
  oneLine,
  type ResolvedVersion,
  type RunSummary,
  runSummarySchema,
} from "@llmops/core";
import { SUMMARY_FILE, SUMMARY_FILE_MAX_BYTES } from "@llmops/eval";
import type { Store } from "@llmops/store";
import { z } from "zod";
import { environmentConfig, shortDigest } from "./environment.ts";
import { judgeVersions } from "./served-before.ts";

/**
 * Requirements are checked against the store itself, never against anything the caller says:
 *
 * - `evidence`: the eval referrers on this exact digest whose suite is the requirement's suite and
 *   whose run counts (below). The newest counting run decides: it must have passed (both the
 *   referrer's `dev.llmops.passed` annotation and its summary.json's `passed`, and be a complete
 *   run) when `passed` is required, and have finished within `maxAgeDays`. A summary pinning a
 *   different model digest is ignored.
 * - Which runs count: with a branch (the requirement's `branch`, else the repository's default
 *   branch when known) only runs recorded with `git.ref` = `refs/heads/<branch>`; with no branch
 *   known, any run whose ref is not a pull request's (`refs/pull/…`), including a run that
 *   recorded no ref (a local `llmops eval --record`). A run with no ref never counts when a
 *   branch is required: nothing shows which branch it ran on.
 * - Nor does a run whose `finishedAt` is more than FUTURE_SKEW_MS after now, or is not a time: it
 *   would sort newest forever and never age out of `maxAgeDays` (the detail says it was ignored).
 * - `promotedTo`: the alias of each named environment (same artifact) was moved to this digest at
 *   some point (its alias history), and the environment's newest verdict on it is not "bad":
 *   judgeVersions (served-before.ts), the rule `rollback` uses too — a failed smoke eval there, an
 *   automatic roll-back from it, or an `llmops rollback` away from it un-meets it. A `proposed`
 *   promotion (a pull request not merged) never moved the alias, so it never meets it.
 */

export const requirementCheckSchema = z.strictObject({
  kind: z.enum(["evidence", "promotedTo"]),
  /** The suite (evidence) or environment (promotedTo). */
  name: z.string(),
  met: z.boolean(),
  /** One line: why it is met or not. */
  detail: z.string(),
  /** The eval run that decided an evidence requirement. */
  evidence: z
    .strictObject({
      suite: z.string(),
      digest: z.string(),
      passed: z.boolean(),
      finishedAt: z.string(),
      ref: z.string().optional(),
    })
    .optional(),
});
export type RequirementCheck = z.infer<typeof requirementCheckSchema>;

export interface CheckRequirementsOptions {
  store: Store;
  config: LlmopsConfig;
  environment: string;
  version: ResolvedVersion;
  /** The repository's default branch, when known (GitHub). */
  defaultBranch?: string;
  now?: Date;
  logger: Logger;
}

const DAY_MS = 86_400_000;
/** The largest summary.json read (a real one is a few KiB; a larger one is refused, the run ignored). */

/** Every requirement of the environment, met or not, in config order (evidence first). */
export async function checkRequirements(options: CheckRequirementsOptions): Promise<RequirementCheck[]> {
  const env = environmentConfig(options.config, options.environment);
  const checks: RequirementCheck[] = [];
  const runs = env.requires.evidence.length > 0 ? await evalRuns(options) : [];
  for (const requirement of env.requires.evidence) checks.push(checkEvidence(requirement, runs, options));
  for (const other of env.requires.promotedTo) checks.push(await checkPromotedTo(other, options));
  return checks;
}

/** The requirement lines of the unmet ones, e.g. `evidence qa: latest run on sha256:ab… failed (…)`. */
export function unmetReasons(checks: RequirementCheck[]): string[] {
  return checks.filter((c) => !c.met).map((c) => `${c.kind} ${c.name}: ${c.detail}`);
}

/** Evidence refs of the met evidence requirements, for the deployment payload and the record. */
export function evidenceOf(checks: RequirementCheck[]): EvidenceRef[] {
  return checks.flatMap((c) => (c.met && c.evidence ? [c.evidence] : []));
}

interface EvalRun {
  digest: string;
  annotationPassed: boolean;
  summary: RunSummary;
}

async function evalRuns(options: CheckRequirementsOptions): Promise<EvalRun[]> {
  const { store, version, logger } = options;
  const runs: EvalRun[] = [];
  for (const entry of await store.listEvidence(version, EVAL_ARTIFACT_TYPE)) {
    let summary: RunSummary;
    try {
      const bytes = await store.readEvidenceFile(version, entry.digest, SUMMARY_FILE, { maxBytes: SUMMARY_FILE_MAX_BYTES });
      const parsed = runSummarySchema.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
      if (!parsed.success) {
        logger.warn(`eval evidence ${entry.digest} on ${shortDigest(version.digest)}: summary.json is not an eval summary; ignored`);
        continue;
      }
      summary = parsed.data;
    } catch (error) {
      // A record that cannot be trusted whole is ignored; the store failing to answer is not: an
      // older passing run must never stand in for a newer one the registry did not return.
      if (!(error instanceof InputError || error instanceof SyntaxError)) throw error;
      logger.warn(`eval evidence ${entry.digest} on ${shortDigest(version.digest)}: unreadable (${oneLine(error)}); ignored`);
      continue;
    }
    if (summary.model && summary.model.digest !== version.digest) {
      logger.warn(`eval evidence ${entry.digest}: its summary pins ${summary.model.digest}, not ${version.digest}; ignored`);
      continue;
    }
    runs.push({ digest: entry.digest, annotationPassed: entry.annotations["dev.llmops.passed"] === "true", summary });
  }
  // Newest first; a finishedAt that is not a time sorts last (it never counts: finishedInTime).
  const time = (r: EvalRun) => {
    const t = Date.parse(r.summary.finishedAt);
    return Number.isFinite(t) ? t : Number.NEGATIVE_INFINITY;
  };
  return runs.sort((a, b) => (time(a) < time(b) ? 1 : time(a) > time(b) ? -1 : 0));
}

/** How far in the future a run may say it finished (clock skew between machines) and still count. */
export const FUTURE_SKEW_MS = 5 * 60_000;

/** Whether a run's `finishedAt` is a time no later than FUTURE_SKEW_MS after `now`. */
function finishedInTime(run: EvalRun, now: number): boolean {
  const finished = Date.parse(run.summary.finishedAt);
  return Number.isFinite(finished) && finished <= now + FUTURE_SKEW_MS;
}

/** A store-derived value for a one-line detail: bounded (render.ts strips control characters). */
const bounded = (text: string, max = 200) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function checkEvidence(requirement: EvidenceRequirement, runs: EvalRun[], options: CheckRequirementsOptions): RequirementCheck {
  const on = shortDigest(options.version.digest);
  const now = (options.now ?? new Date()).getTime();
  const branch = requirement.branch ?? options.defaultBranch;
  const ofSuite = runs.filter((r) => r.summary.suite === requirement.suite);
  const fromRef = ofSuite.filter((r) => refCounts(r.summary.git?.ref, branch));
  // A run "finished" in the future would sort newest forever and never age out of maxAgeDays.
  const counting = fromRef.filter((r) => finishedInTime(r, now));
  const untimely = fromRef.filter((r) => !finishedInTime(r, now));
  const ignored =
    untimely.length > 0
      ? `; ignored ${untimely.length} run${untimely.length === 1 ? "" : "s"} whose finishedAt is in the future or not a time (${bounded(untimely[0]!.summary.finishedAt, 40)})`
      : "";
  const base = { kind: "evidence" as const, name: requirement.suite };
  const latest = counting[0];
  if (!latest) {
    const from = branch ? `refs/heads/${branch}` : "a non-pull-request ref";
    const others = [...new Set(ofSuite.filter((r) => !fromRef.includes(r)).map((r) => bounded(r.summary.git?.ref ?? "no ref")))];
    const seen = others.length > 0 ? ` (only from ${others.slice(0, 5).join(", ")})` : "";
    return { ...base, met: false, detail: `no run recorded on ${on} by ${from}${seen}${ignored}` };
  }
  const ref = latest.summary.git?.ref;
  const passed = latest.annotationPassed && latest.summary.passed && latest.summary.complete;
  const evidence = {
    suite: requirement.suite,
    digest: latest.digest,
    passed,
    finishedAt: latest.summary.finishedAt,
    ...(ref ? { ref } : {}),
  };
  const when = `${latest.summary.finishedAt.slice(0, 10)}, ${ref !== undefined ? bounded(ref) : "no ref"}${ignored}`;
  if (requirement.passed && !passed) {
    const how = !latest.summary.complete ? "was incomplete" : "failed";
    return { ...base, met: false, detail: `latest run on ${on} ${how} (${when})`, evidence };
  }
  if (requirement.maxAgeDays !== undefined) {
    const age = (now - Date.parse(latest.summary.finishedAt)) / DAY_MS;
    if (age > requirement.maxAgeDays) {
      const old = `${Math.floor(age)} days old`;
      return {
        ...base,
        met: false,
        detail: `latest run on ${on} is ${old} (${when}); at most ${requirement.maxAgeDays} allowed`,
        evidence,
      };
    }
  }
  return { ...base, met: true, detail: `latest run on ${on} ${passed ? "passed" : "recorded"} (${when})`, evidence };
}

/** Whether a run recorded with git ref `ref` counts for a requirement on `branch` (see the module comment). */
export function refCounts(ref: string | undefined, branch: string | undefined): boolean {
  if (branch) return ref === `refs/heads/${branch}`;
  return ref === undefined || !ref.startsWith("refs/pull/");
}

async function checkPromotedTo(other: string, options: CheckRequirementsOptions): Promise<RequirementCheck> {
  const { store, version } = options;
  const alias = environmentConfig(options.config, other).alias ?? other;
  const base = { kind: "promotedTo" as const, name: other };
  const label = `${version.name}@${shortDigest(version.digest)}`;
  const history = await store.history(version.name, alias);
  const moves = history.filter((m) => m.to === version.digest);
  if (moves.length === 0) return { ...base, met: false, detail: `${label} was never in ${other}` };
  // The same rule as what `rollback` goes back to: rolled back from there (by anyone) or a failed smoke eval there does not count.
  const { bad } = await judgeVersions(store, { name: version.name, alias, environment: other, history }, options.logger, [version.digest]);
  const verdict = bad.get(version.digest);
  if (verdict?.why === "smoke-failed") {
    return { ...base, met: false, detail: `${label} failed its smoke eval in ${other} (${verdict.at.slice(0, 10)})` };
  }
  if (verdict?.why === "rolled-back") {
    return { ...base, met: false, detail: `${label} was rolled back from ${other} (${verdict.at.slice(0, 10)})` };
  }
  const first = moves[moves.length - 1]!;
  return { ...base, met: true, detail: `${label} was in ${other} (since ${first.when.slice(0, 10)})` };
}
