import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { DEFAULT_CONFIG_FILE, ExitCode, loadConfig, UsageError, writeFileAtomic } from "@llmops/core";
import { describeCheckResult, renderCheckMarkdown, runCheck } from "@llmops/operate";
import { type Command, commandStoreOpener, optionalString, SIGNAL_EXIT, stoppable, storeOptionHelp, storeOptions } from "../command.ts";
import { list, printJson } from "./version.ts";

export const checkCommand: Command = {
  name: "check",
  summary: "Check a dataset version or directory: schema, duplicates, train/eval contamination, PII, distributions",
  usage: "<REF|DIR> [--against REF]... [--write-redacted DIR] [--record] [--markdown FILE] [--config F] [--artifact NAME] [--store S]",
  options: {
    ...storeOptions,
    against: { type: "string", multiple: true },
    "write-redacted": { type: "string" },
    record: { type: "boolean" },
    markdown: { type: "string" },
    config: { type: "string" },
    artifact: { type: "string" },
  },
  optionHelp: {
    ...storeOptionHelp,
    against:
      "a dataset version (or directory) to look for contamination in: shared n-grams and near duplicates; repeatable (default: checks.contamination.against)",
    "write-redacted":
      "write a copy of the case files with personal data and secrets replaced (<EMAIL>, <PHONE> …) into DIR, a new or empty directory",
    record: "attach the result to the dataset version as a check referrer (application/vnd.llmops.check.v1+json); needs a REF",
    markdown: "also write the report as Markdown (tables and Mermaid charts) to FILE",
    config: `the llmops.yaml whose artifacts' checks: apply (default ${DEFAULT_CONFIG_FILE} when present; without one every check runs with its defaults)`,
    artifact: "the declared artifact a DIR is (default: the one whose path it is)",
  },
  async run({ values, positionals }, context) {
    const [target, extra] = positionals;
    if (!target) throw new UsageError("expected <REF|DIR>: a dataset version (name:alias, name:vN, name@sha256:…) or a directory");
    if (extra) throw new UsageError(`unexpected argument ${extra}`);
    const configPath = optionalString(values.config);
    const configFile = resolve(context.cwd, configPath ?? DEFAULT_CONFIG_FILE);
    // An explicit --config must exist; the default one is used only when present.
    const loaded = configPath !== undefined || existsSync(configFile) ? await loadConfig(configFile) : undefined;
    const openStore = () => commandStoreOpener(values, context)({ input: optionalString(values.store), config: loaded?.config.store });
    const markdown = optionalString(values.markdown);
    const redactTo = optionalString(values["write-redacted"]);
    const artifact = optionalString(values.artifact);

    const { result: outcome, stoppedBy } = await stoppable(
      context,
      "stopping; nothing is recorded and no redacted copy is left",
      (signal) =>
        runCheck({
          target,
          against: list(values.against),
          openStore,
          ...(loaded ? { loaded: { config: loaded.config, dir: loaded.dir } } : {}),
          ...(artifact ? { artifact } : {}),
          ...(redactTo ? { redactTo } : {}),
          record: values.record === true,
          cwd: context.cwd,
          logger: context.logger,
          signal,
          // Stopped by a signal: the check threw its abort; the scratch files and any partial copy are gone.
        }).catch((error: unknown) => {
          if (signal.aborted) return undefined;
          throw error;
        }),
    );
    if (stoppedBy || !outcome) return SIGNAL_EXIT[stoppedBy ?? "SIGINT"] ?? 130;
    const { result } = outcome;
    if (markdown) await writeFileAtomic(resolve(context.cwd, markdown), renderCheckMarkdown(result));
    if (outcome.record) context.logger.info(`recorded check ${outcome.record} on ${result.dataset.name}@${result.dataset.digest}`);
    if (context.json) printJson(context, outcome.record ? { ...result, record: outcome.record } : result);
    else context.stdout.write(`${describeCheckResult(result)}\n`);
    return result.passed ? ExitCode.Success : ExitCode.GateFailed;
  },
};
