import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { type ArtifactKind, DEFAULT_CONFIG_FILE, loadConfig, UsageError } from "@llmops/core";
import {
  type CheckedVersion,
  DatasetChecksFailedError,
  describeCheckResult,
  describeFailure,
  type VersionCheck,
  versionChecked,
  versionDeclaredChecked,
} from "@llmops/operate";
import { type PackingOptions, provenanceFromEnv, type Store, type VersionOptions, type VersionResult } from "@llmops/store";
import { type CommandContext, list, type ParsedArgs, printJson, str } from "../command.ts";
import { commandStoreOpener, openCommandStore } from "../command-store.ts";
import { formatAmount, progressFor } from "../progress.ts";

// The command (name, usage, options, help) is defined in version.def.ts, whose run loads this module.
export { versionCommand } from "./version.def.ts";

function pairs(values: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of values) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new UsageError(`--${flag} ${item}: expected key=value`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** `llmops version`. */
export async function runVersion(args: ParsedArgs, context: CommandContext): Promise<number> {
  const [path, extra] = args.positionals;
  if (extra) throw new UsageError(`unexpected argument ${extra}`);
  if (!path) return versionDeclaredCommand(args.values, context);
  if (args.values.only !== undefined) throw new UsageError("--only applies only without <path>");
  if (args.values["no-check"] !== undefined)
    throw new UsageError("--no-check applies only without <path> (with one, checks run only with --check)");
  if (args.values.config !== undefined && args.values.check !== true)
    throw new UsageError("--config applies with <path> only with --check");
  const name = str(args.values.name);
  if (!name) throw new UsageError("missing --name");
  const kind = str(args.values.kind);
  if (kind !== "model" && kind !== "dataset") throw new UsageError(`--kind ${kind ?? "(missing)"}: expected model or dataset`);
  const created = str(args.values.created);
  if (created && Number.isNaN(Date.parse(created))) throw new UsageError(`--created ${created}: expected an ISO timestamp`);
  const labels = pairs(list(args.values.label), "label");
  const params = pairs(list(args.values.param), "param");
  const packing = packingOf(args.values);
  const options: VersionOptions = {
    path,
    name,
    kind: kind as ArtifactKind,
    parents: list(args.values.parent),
    aliases: list(args.values.alias),
    labels,
    params,
    created,
    ...(packing ? { packing } : {}),
    ...provenanceFromEnv(context.env),
    onProgress: progressFor(`version ${name}`, context),
  };
  let result: CheckedVersion;
  let store: Store;
  if (args.values.check === true) {
    const loaded = await loadConfig(resolve(context.cwd, str(args.values.config) ?? DEFAULT_CONFIG_FILE));
    // The store (for contamination refs, and the version) is the one that config names.
    store = commandStoreOpener(args.values, context)({ input: str(args.values.store) || undefined, config: loaded.config.store });
    const opened = store;
    const gated = await refuseOnFailedChecks(context, () =>
      versionChecked(opened, { loaded, cwd: context.cwd, logger: context.logger }, options),
    );
    if ("exit" in gated) return gated.exit;
    result = gated.value;
  } else {
    store = await openCommandStore(args.values, context);
    result = await store.version(options);
  }
  const { check, ...version } = result;
  if (context.json) {
    printJson(context, {
      ...version,
      store: store.location,
      ...(check ? { check: { passed: check.passed, record: check.record } } : {}),
    });
    return 0;
  }
  const lines = [
    `${version.ref}  ${version.digest}`,
    `  ${version.files.length} files, ${formatAmount(version.uploadedBytes, "bytes")} stored, ${formatAmount(version.reusedBytes, "bytes")} reused`,
    ...version.parents.map((p) => `  parent ${p.ref ?? ""} ${p.digest}`),
    ...version.aliases.map((a) => `  alias ${version.name}:${a}`),
    ...(check ? [checkLine(check)] : []),
  ];
  context.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

/** --pack-* flags as PackingOptions; undefined when none is given (the store's defaults apply). */
function packingOf(values: ParsedArgs["values"]): PackingOptions | undefined {
  const out: PackingOptions = {};
  for (const [flag, key] of [
    ["pack-threshold", "threshold"],
    ["pack-target", "target"],
    ["pack-min-files", "minFiles"],
  ] as const) {
    const raw = str(values[flag]);
    if (raw === undefined) continue;
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw)))
      throw new UsageError(`--${flag} ${raw}: expected a whole number of ${key === "minFiles" ? "files" : "bytes"}`);
    out[key] = Number(raw);
  }
  return Object.keys(out).length ? out : undefined;
}

/** `llmops version` without a path: every artifact `artifacts:` declares (or `--only` ones); unchanged ones keep their version. */
async function versionDeclaredCommand(values: ParsedArgs["values"], context: CommandContext): Promise<number> {
  for (const flag of ["name", "kind", "parent", "alias", "label", "param", "pack-threshold", "pack-target", "pack-min-files"]) {
    if (values[flag] !== undefined) throw new UsageError(`--${flag} needs a <path>; declared artifacts take theirs from llmops.yaml`);
  }
  const configPath = str(values.config);
  const file = resolve(context.cwd, configPath ?? DEFAULT_CONFIG_FILE);
  if (!configPath && !existsSync(file)) throw new UsageError(`missing <path> (or an llmops.yaml here declaring artifacts:)`);
  const { config, dir } = await loadConfig(file);
  const created = str(values.created);
  if (created && Number.isNaN(Date.parse(created))) throw new UsageError(`--created ${created}: expected an ISO timestamp`);
  const store = commandStoreOpener(values, context)({ input: str(values.store) || undefined, config: config.store });
  if (values.check === true && values["no-check"] === true) throw new UsageError("--check and --no-check: give one");
  const gated = await refuseOnFailedChecks(context, () =>
    versionDeclaredChecked(
      store,
      { loaded: { config, dir }, cwd: context.cwd, logger: context.logger },
      {
        only: list(values.only),
        check: values["no-check"] !== true,
        common: { ...provenanceFromEnv(context.env), ...(created ? { created } : {}), onProgress: progressFor("version", context) },
      },
    ),
  );
  if ("exit" in gated) return gated.exit;
  const results = gated.value;
  if (context.json) {
    const versions = results.map(({ check, ...result }) =>
      check ? { ...result, check: { passed: check.passed, record: check.record } } : result,
    );
    printJson(context, { versions, store: store.location });
    return 0;
  }
  const lines = results.map(({ check, ...result }) =>
    check ? `${describeDeclared(result)}\n${checkLine(check)}` : describeDeclared(result),
  );
  context.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

/**
 * Runs a check-gated step; when a gate refuses, prints the failed reports (or one --json document)
 * and one line per dataset on stderr, and exits 1 (DatasetChecksFailedError carries the exit code).
 */
export async function refuseOnFailedChecks<T>(context: CommandContext, step: () => Promise<T>): Promise<{ value: T } | { exit: number }> {
  try {
    return { value: await step() };
  } catch (error) {
    if (!(error instanceof DatasetChecksFailedError)) throw error;
    if (context.json) printJson(context, { passed: false, checks: error.failures.map(({ result }) => result) });
    else for (const { result } of error.failures) context.stdout.write(`${describeCheckResult(result)}\n`);
    for (const { result, stopped } of error.failures) context.logger.error(describeFailure(result, stopped));
    return { exit: error.exitCode };
  }
}

function checkLine({ result, record }: VersionCheck): string {
  const warned = result.checks.filter((check) => check.severity !== "off" && check.findings > 0).map((check) => check.name);
  const findings = warned.length ? ` (warnings: ${warned.join(", ")})` : "";
  return `  checks passed: ${result.cases} cases${findings}${record ? `, recorded ${record}` : ", already recorded"}`;
}

function describeDeclared(result: VersionResult): string {
  const what = result.unchanged
    ? "unchanged"
    : `${result.files.length} files, ${formatAmount(result.uploadedBytes, "bytes")} stored, ${formatAmount(result.reusedBytes, "bytes")} reused`;
  return `${result.ref}  ${result.digest}  (${what})`;
}
