import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { EVAL_ARTIFACT_TYPE, type EvidenceStore, InputError, type Logger } from "@llmops/core";
import { parseResults, parseSummary } from "../results/parse.ts";
import { readRunOutputs, SUMMARY_FILE, SUMMARY_FILE_MAX_BYTES } from "../results/write.ts";
import type { BaselineInfo, RunResults } from "./compare.ts";

/** Reads one run from its results directory, or from the path of its `summary.json`, through readRunOutputs (the one reader of results directories). */
export async function readRunResults(location: string): Promise<RunResults & { directory: string }> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(location);
  } catch {
    throw new InputError(`results ${location}: not found (expected a results directory or its ${SUMMARY_FILE})`);
  }
  if (!info.isDirectory() && path.basename(location) !== SUMMARY_FILE)
    throw new InputError(`results ${location}: expected a results directory or its ${SUMMARY_FILE}`);
  const directory = info.isDirectory() ? location : path.dirname(location);
  const { summary, rows } = await readRunOutputs(directory);
  return { summary, cases: rows, directory };
}

/**
 * Every results directory at or below `root` (a directory holding `summary.json`), sorted: a
 * single suite's directory, or the parent the eval command writes suites into
 * (`.llmops/results/<suite>/`, where variant names add path levels).
 */
export async function findResultsDirectories(root: string, maxDepth = 4): Promise<string[]> {
  const found: string[] = [];
  async function walk(directory: string, depth: number): Promise<void> {
    let entries: import("node:fs").Dirent[];
    try {
      entries = await readdir(directory, { withFileTypes: true });
    } catch (error) {
      if (depth === 0) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new InputError(
          `results ${directory}: ${code === "ENOENT" ? "not found" : code === "ENOTDIR" ? "not a directory" : `cannot be read (${code})`}`,
        );
      }
      return;
    }
    if (entries.some((e) => e.isFile() && e.name === SUMMARY_FILE)) {
      found.push(directory);
      return;
    }
    if (depth >= maxDepth) return;
    for (const entry of entries)
      if (entry.isDirectory() && !entry.name.startsWith(".")) await walk(path.join(directory, entry.name), depth + 1);
  }
  await walk(root, 0);
  return found.sort();
}

/** Reads every run at or below a path (a summary file, a suite directory, or a parent of several). */
export async function readResultsSet(location: string): Promise<(RunResults & { directory: string })[]> {
  const info = await stat(location).catch(() => null);
  if (info?.isFile()) return [await readRunResults(location)];
  const directories = await findResultsDirectories(location);
  if (directories.length === 0) throw new InputError(`results ${location}: no ${SUMMARY_FILE} found in it or its subdirectories`);
  const runs = await Promise.all(directories.map((d) => readRunResults(d)));
  const seen = new Map<string, string>();
  for (const run of runs) {
    const other = seen.get(run.summary.suite);
    if (other) throw new InputError(`results ${location}: suite "${run.summary.suite}" appears twice (${other} and ${run.directory})`);
    seen.set(run.summary.suite, run.directory);
  }
  return runs;
}

/**
 * The baseline recorded as evidence on a version in the store: resolves `ref` (`name:alias`), and
 * takes the newest complete eval evidence of `suite`. Null results, with `info` saying why, when there is none.
 */
export async function loadBaselineFromStore(options: {
  store: EvidenceStore;
  ref: string;
  suite: string;
  logger: Logger;
  /** How the source is reported; `alias` unless the caller knows better. */
  source?: BaselineInfo["source"];
}): Promise<{ results: RunResults; info: BaselineInfo } | { results: null; info: BaselineInfo }> {
  const { store, ref, suite, logger } = options;
  const version = await store.resolve(ref);
  const label = `${ref} (${version.version ?? version.digest.slice(0, 19)})`;
  const evidence = await store.listEvidence(version, EVAL_ARTIFACT_TYPE);
  for (const item of evidence) {
    if (item.annotations["dev.llmops.suite"] !== suite) continue;
    const source = `${label} evidence ${item.digest.slice(0, 19)}`;
    const summaryBytes = await store.readEvidenceFile(version, item.digest, SUMMARY_FILE, { maxBytes: SUMMARY_FILE_MAX_BYTES });
    const summary = parseSummary(new TextDecoder().decode(summaryBytes), `${source} ${SUMMARY_FILE}`);
    if (!summary.complete) {
      logger.info(`skipping incomplete eval evidence ${item.digest.slice(0, 19)} of suite "${suite}" on ${ref}`);
      continue;
    }
    const resultsBytes = await store.readEvidenceFile(version, item.digest, path.posix.basename(summary.results));
    const cases = parseResults(new TextDecoder().decode(resultsBytes), `${source} ${summary.results}`);
    return {
      results: { summary, cases },
      info: { source: options.source ?? "alias", description: `suite "${suite}" results recorded on ${label}`, digest: version.digest },
    };
  }
  // No notice here: compareRuns gives it, with the policy that decides the verdict.
  return { results: null, info: { source: "none", description: `no eval results of suite "${suite}" are recorded on ${label}` } };
}
