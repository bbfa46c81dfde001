import { existsSync } from "node:fs";
import { realpath } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";
import {
  type ArtifactKind,
  CHECK_ARTIFACT_TYPE,
  DEFAULT_CONFIG_FILE,
  ExitCode,
  InputError,
  type LlmopsConfig,
  loadConfig,
  UsageError,
} from "@llmops/core";
import { type CheckResult, describeCheckResult, recordCheck, runCheck } from "@llmops/operate";
import { type PackingOptions, type ProgressEvent, provenanceFromEnv, type Store, type VersionResult, versionDeclared } from "@llmops/store";
import {
  type Command,
  type CommandContext,
  commandStoreOpener,
  openCommandStore,
  type ParsedArgs,
  storeOptionHelp,
  storeOptions,
} from "../command.ts";
import { createProgress, formatAmount } from "../progress.ts";

export function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function list(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  return typeof value === "string" ? [value] : [];
}

/** Feeds store progress events to a bar/line reporter once the transfer is big enough to care. */
export function progressFor(label: string, context: CommandContext): (event: ProgressEvent) => void {
  let reporter: ReturnType<typeof createProgress> | undefined;
  let last = 0;
  return (event) => {
    if (!reporter) {
      if (event.total < 8 * 1024 * 1024) return;
      reporter = createProgress({ label, total: event.total, unit: "bytes", interactive: context.interactive, stream: context.stderr });
    }
    reporter.tick(event.done - last);
    last = event.done;
    if (event.done >= event.total) reporter.done();
  };
}

export function printJson(context: CommandContext, value: unknown): void {
  context.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function pairs(values: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of values) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new UsageError(`--${flag} ${item}: expected key=value`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

export const versionCommand: Command = {
  name: "version",
  summary: "Version a dataset or model directory as a content-addressed OCI artifact (or every artifact llmops.yaml declares)",
  usage: "<path> --name N --kind model|dataset [--parent REF]... [--alias A]... [--store S]  |  [--only NAME]... [--config FILE]",
  options: {
    ...storeOptions,
    only: { type: "string", multiple: true },
    config: { type: "string" },
    name: { type: "string" },
    kind: { type: "string" },
    parent: { type: "string", multiple: true },
    alias: { type: "string", multiple: true },
    label: { type: "string", multiple: true },
    param: { type: "string", multiple: true },
    created: { type: "string" },
    check: { type: "boolean" },
    "no-check": { type: "boolean" },
    "pack-threshold": { type: "string" },
    "pack-target": { type: "string" },
    "pack-min-files": { type: "string" },
  },
  optionHelp: {
    ...storeOptionHelp,
    name: "artifact name (OCI repository name, e.g. team/sentiment)",
    kind: "model or dataset",
    parent: "a version this one derives from (name:alias, name:vN, name@sha256:...); repeatable",
    alias: "alias to point at the new version (e.g. latest); repeatable",
    label: "key=value label; repeatable",
    param: "key=value parameter recorded in the metadata; repeatable",
    created: "ISO timestamp for the metadata (default SOURCE_DATE_EPOCH or now)",
    only: "without <path>: version only this declared artifact; repeatable (default: every one in artifacts:)",
    config: `the llmops.yaml declaring the artifacts (default ${DEFAULT_CONFIG_FILE}); with <path>, only with --check`,
    check:
      "with <path>: run the checks: of the dataset artifact --name declares in llmops.yaml before storing; a failed check stores nothing (exit 1). Without <path> declared datasets with checks: are always checked",
    "no-check": "without <path>: store declared datasets without running their checks:",
    "pack-threshold":
      "with <path>: files smaller than this many bytes go into tar packs (default 4194304, 4 MiB; at most 67108864, 64 MiB, and at most the pack target)",
    "pack-target": "with <path>: the pack size aimed at, in bytes (default 67108864, 64 MiB)",
    "pack-min-files": "with <path>: pack only when at least this many files are below the threshold (default 256)",
  },
  async run(args, context) {
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
    let checked: CheckResult | undefined;
    let store: Store | undefined;
    if (args.values.check === true) {
      if (kind !== "dataset") throw new UsageError("--check applies to a dataset (--kind dataset)");
      const loaded = await loadConfig(resolve(context.cwd, str(args.values.config) ?? DEFAULT_CONFIG_FILE));
      if (!loaded.config.artifacts[name]?.checks) throw new UsageError(`--check: ${loaded.file} declares no artifact ${name} with checks:`);
      // The store (for contamination refs, and the version) is the one that config names.
      const opened = commandStoreOpener(args.values, context)({ input: str(args.values.store) || undefined, config: loaded.config.store });
      store = opened;
      checked = await checkArtifact(context, name, resolve(context.cwd, path), loaded, () => opened);
      if (!checked.passed) return refuseChecked(context, [checked]);
    }
    store ??= await openCommandStore(args.values, context);
    const result = await store.version({
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
    });
    const record = checked ? await recordChecked(store, result, checked) : undefined;
    if (context.json) {
      printJson(context, { ...result, store: store.location, ...(checked ? { check: { passed: checked.passed, record } } : {}) });
      return 0;
    }
    const lines = [
      `${result.ref}  ${result.digest}`,
      `  ${result.files.length} files, ${formatAmount(result.uploadedBytes, "bytes")} stored, ${formatAmount(result.reusedBytes, "bytes")} reused`,
      ...result.parents.map((p) => `  parent ${p.ref ?? ""} ${p.digest}`.replace("  ", "  ")),
      ...result.aliases.map((a) => `  alias ${result.name}:${a}`),
      ...(checked ? [checkLine(checked, record)] : []),
    ];
    context.stdout.write(`${lines.join("\n")}\n`);
    return 0;
  },
};

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
  // Every declared dataset with checks: is checked before the first artifact is stored.
  const checked = new Map<string, CheckResult>();
  if (values["no-check"] !== true) {
    const only = list(values.only);
    const names = only.length ? only : Object.keys(config.artifacts);
    // An unknown --only name is versionDeclared's error, before anything is checked or stored.
    if (names.every((name) => config.artifacts[name])) {
      for (const name of names) {
        const artifact = config.artifacts[name]!;
        if (artifact.kind !== "dataset" || !artifact.checks) continue;
        const path = await checkablePath(name, artifact.path, dir);
        // A missing path is left to versionDeclared, which reports it before storing anything.
        if (path) checked.set(name, await checkArtifact(context, name, path, { config, dir }, () => store));
      }
    }
    const failed = [...checked.values()].filter((result) => !result.passed);
    if (failed.length > 0) return refuseChecked(context, failed);
  }
  const results = await versionDeclared(store, {
    artifacts: config.artifacts,
    configDir: dir,
    only: list(values.only),
    common: { ...provenanceFromEnv(context.env), ...(created ? { created } : {}), onProgress: progressFor("version", context) },
  });
  const records = new Map<string, string | undefined>();
  for (const result of results) {
    const check = checked.get(result.name);
    if (check) records.set(result.name, await recordChecked(store, result, check));
  }
  if (context.json) {
    const versions = results.map((result) => {
      const check = checked.get(result.name);
      return check ? { ...result, check: { passed: check.passed, record: records.get(result.name) } } : result;
    });
    printJson(context, { versions, store: store.location });
    return 0;
  }
  const lines = results.map((result) => {
    const check = checked.get(result.name);
    return check ? `${describeDeclared(result)}\n${checkLine(check, records.get(result.name))}` : describeDeclared(result);
  });
  context.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

/**
 * A declared artifact's directory, refused when it leads outside llmops.yaml's directory (as
 * versionDeclared refuses it: checks must not read files from elsewhere on the machine either);
 * undefined when it does not exist.
 */
async function checkablePath(name: string, path: string, configDir: string): Promise<string | undefined> {
  const outside = (target: string, base: string) => {
    const rel = relative(base, target);
    return rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel);
  };
  const target = resolve(configDir, path);
  if (isAbsolute(path) || outside(target, resolve(configDir)))
    throw new InputError(
      `artifact "${name}": path "${path}" is not inside ${resolve(configDir)}; expected a path relative to the directory of llmops.yaml`,
    );
  if (!existsSync(target)) return undefined;
  const [real, realBase] = await Promise.all([realpath(target), realpath(configDir)]);
  if (outside(real, realBase))
    throw new InputError(`artifact "${name}": path "${path}" resolves to ${real}, outside ${realBase} (no symbolic links out of it)`);
  return target;
}

/** Runs the `checks:` llmops.yaml gives artifact `name` on the directory `path` (contamination refs read from the store). */
async function checkArtifact(
  context: CommandContext,
  name: string,
  path: string,
  loaded: { config: LlmopsConfig; dir: string },
  openStore: () => Store,
): Promise<CheckResult> {
  const { result } = await runCheck({
    target: path,
    artifact: name,
    loaded: { config: loaded.config, dir: loaded.dir },
    openStore,
    cwd: context.cwd,
    logger: context.logger,
  });
  return result;
}

/** Failed checks: the reports (or one --json document), the reasons on stderr, exit 1; nothing was stored. */
export function refuseChecked(
  context: CommandContext,
  failed: CheckResult[],
  what: (result: CheckResult) => string = () => "nothing stored",
): number {
  if (context.json) printJson(context, { passed: false, checks: failed });
  else for (const result of failed) context.stdout.write(`${describeCheckResult(result)}\n`);
  for (const result of failed)
    context.logger.error(`${result.dataset.name}: failed its checks (${result.reasons.join("; ")}); ${what(result)}`);
  return ExitCode.GateFailed;
}

/**
 * Attaches the check result to the version just stored, naming that version as what was checked.
 * A version `reuseUnchanged` kept that already has a check record gets no second one.
 */
async function recordChecked(store: Store, version: VersionResult, result: CheckResult): Promise<string | undefined> {
  const subject = { name: version.name, digest: version.digest, version: version.version };
  if (version.unchanged && (await store.listEvidence(subject, CHECK_ARTIFACT_TYPE)).length > 0) return undefined;
  return recordCheck(store, subject, { ...result, dataset: { ref: version.ref, ...subject } });
}

function checkLine(result: CheckResult, record: string | undefined): string {
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
