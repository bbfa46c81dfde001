import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { DEFAULT_CONFIG_FILE, ExitCode, loadConfig, UsageError, writeFileAtomic } from "@llmops/core";
import { describeCheckResult, renderCheckMarkdown, runCheck } from "@llmops/operate";
import { type CommandContext, list, optionalString, type ParsedArgs, printJson, SIGNAL_EXIT, stoppable } from "../command.ts";
import { commandStoreOpener } from "../command-store.ts";

// The command (name, usage, options, help) is defined in check.def.ts, whose run loads this module.
export { checkCommand } from "./check.def.ts";

/** `llmops check`. */
export async function runCheckCommand({ values, positionals }: ParsedArgs, context: CommandContext): Promise<number> {
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

  const { result: outcome, stoppedBy } = await stoppable(context, "stopping; nothing is recorded and no redacted copy is left", (signal) =>
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
}
