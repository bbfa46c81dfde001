import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { type ArtifactKind, DEFAULT_CONFIG_FILE, loadConfig, UsageError } from "@llmops/core";
import { type ProgressEvent, provenanceFromEnv, type VersionResult, versionDeclared } from "@llmops/store";
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
    config: `without <path>: the llmops.yaml declaring the artifacts (default ${DEFAULT_CONFIG_FILE})`,
  },
  async run(args, context) {
    const [path, extra] = args.positionals;
    if (extra) throw new UsageError(`unexpected argument ${extra}`);
    if (!path) return versionDeclaredCommand(args.values, context);
    for (const flag of ["only", "config"])
      if (args.values[flag] !== undefined) throw new UsageError(`--${flag} applies only without <path>`);
    const name = str(args.values.name);
    if (!name) throw new UsageError("missing --name");
    const kind = str(args.values.kind);
    if (kind !== "model" && kind !== "dataset") throw new UsageError(`--kind ${kind ?? "(missing)"}: expected model or dataset`);
    const created = str(args.values.created);
    if (created && Number.isNaN(Date.parse(created))) throw new UsageError(`--created ${created}: expected an ISO timestamp`);
    const labels = pairs(list(args.values.label), "label");
    const params = pairs(list(args.values.param), "param");
    const store = await openCommandStore(args.values, context);
    const result = await store.version({
      path,
      name,
      kind: kind as ArtifactKind,
      parents: list(args.values.parent),
      aliases: list(args.values.alias),
      labels,
      params,
      created,
      ...provenanceFromEnv(context.env),
      onProgress: progressFor(`version ${name}`, context),
    });
    if (context.json) {
      printJson(context, { ...result, store: store.location });
      return 0;
    }
    const lines = [
      `${result.ref}  ${result.digest}`,
      `  ${result.files.length} files, ${formatAmount(result.uploadedBytes, "bytes")} stored, ${formatAmount(result.reusedBytes, "bytes")} reused`,
      ...result.parents.map((p) => `  parent ${p.ref ?? ""} ${p.digest}`.replace("  ", "  ")),
      ...result.aliases.map((a) => `  alias ${result.name}:${a}`),
    ];
    context.stdout.write(`${lines.join("\n")}\n`);
    return 0;
  },
};

/** `llmops version` without a path: every artifact `artifacts:` declares (or `--only` ones); unchanged ones keep their version. */
async function versionDeclaredCommand(values: ParsedArgs["values"], context: CommandContext): Promise<number> {
  for (const flag of ["name", "kind", "parent", "alias", "label", "param"]) {
    if (values[flag] !== undefined) throw new UsageError(`--${flag} needs a <path>; declared artifacts take theirs from llmops.yaml`);
  }
  const configPath = str(values.config);
  const file = resolve(context.cwd, configPath ?? DEFAULT_CONFIG_FILE);
  if (!configPath && !existsSync(file)) throw new UsageError(`missing <path> (or an llmops.yaml here declaring artifacts:)`);
  const { config, dir } = await loadConfig(file);
  const created = str(values.created);
  if (created && Number.isNaN(Date.parse(created))) throw new UsageError(`--created ${created}: expected an ISO timestamp`);
  const store = commandStoreOpener(values, context)({ input: str(values.store) || undefined, config: config.store });
  const results = await versionDeclared(store, {
    artifacts: config.artifacts,
    configDir: dir,
    only: list(values.only),
    common: { ...provenanceFromEnv(context.env), ...(created ? { created } : {}), onProgress: progressFor("version", context) },
  });
  if (context.json) {
    printJson(context, { versions: results, store: store.location });
    return 0;
  }
  context.stdout.write(`${results.map(describeDeclared).join("\n")}\n`);
  return 0;
}

function describeDeclared(result: VersionResult): string {
  const what = result.unchanged
    ? "unchanged"
    : `${result.files.length} files, ${formatAmount(result.uploadedBytes, "bytes")} stored, ${formatAmount(result.reusedBytes, "bytes")} reused`;
  return `${result.ref}  ${result.digest}  (${what})`;
}
