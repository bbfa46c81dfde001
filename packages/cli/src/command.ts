import type { ParseArgsConfig } from "node:util";
import type { Logger } from "@llmops/core";
import { chooseStore, configuredStore, describeStoreChoice, openStore, type Store } from "@llmops/store";

/** What a command receives besides its parsed arguments. */
export interface CommandContext {
  logger: Logger;
  /** `--json`: print exactly one JSON document on stdout; human text goes to stderr. */
  json: boolean;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** True when stderr is a terminal (progress bars); false in CI (periodic lines). */
  interactive: boolean;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

/** One `llmops <name>` subcommand. Later capabilities add theirs to `commands/index.ts`. */
export interface Command {
  name: string;
  summary: string;
  /** Usage line after `llmops <name> `, e.g. `<path> --name N --kind model|dataset`. */
  usage: string;
  options: NonNullable<ParseArgsConfig["options"]>;
  /** Describes each option for `--help`, keyed by option name. */
  optionHelp?: Record<string, string>;
  /** Nested commands such as `eval merge`. */
  subcommands?: Command[];
  /** Returns the exit code; throws LlmopsError subclasses for the others. */
  run(args: ParsedArgs, context: CommandContext): Promise<number>;
}

/** `--store`, `--store-username`, `--store-password`: every command that opens a store takes these. */
export const storeOptions = {
  store: { type: "string" },
  "store-username": { type: "string" },
  "store-password": { type: "string" },
} as const;

export const storeOptionHelp: Record<keyof typeof storeOptions, string> = {
  store:
    "layout directory or oci://host[:port]/prefix (default: llmops.yaml `store:`, else in GitHub Actions oci://ghcr.io/<owner>/<repo>, else .llmops/store)",
  "store-username": "registry user name (default: LLMOPS_REGISTRY_USERNAME)",
  "store-password":
    "registry password or token (default: LLMOPS_REGISTRY_PASSWORD or LLMOPS_REGISTRY_TOKEN, else GITHUB_TOKEN for ghcr.io only); prefer the environment: other processes can see flags",
};

/** A string option's value; absent and empty are both undefined. */
export function optionalString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function flag(values: ParsedArgs["values"], name: string): string | undefined {
  return optionalString(values[name]);
}

/**
 * The store a command uses, by the one rule of `chooseStore` (`@llmops/store`): `--store`, else
 * `store:` of `configFile` (default llmops.yaml in the working directory), else GHCR of the
 * repository in GitHub Actions, else `.llmops/store`; credentials from the flags, LLMOPS_REGISTRY_*,
 * then GITHUB_TOKEN for ghcr.io only. Logged at debug level (`-v`), never with a secret.
 */
export async function openCommandStore(values: ParsedArgs["values"], context: CommandContext, configFile?: string): Promise<Store> {
  const input = flag(values, "store");
  // The config is read only when it can matter: an explicit store wins without it.
  const config = input ? undefined : await configuredStore(context.cwd, configFile);
  return commandStoreOpener(values, context)({ input, config });
}

/**
 * Opens the store `chooseStore` picks from the `--store` flag (`candidates.input`) and a config's
 * `store:` the caller has read (eval and compare get both back from the config they load), with
 * the command's credentials.
 */
export function commandStoreOpener(
  values: ParsedArgs["values"],
  context: CommandContext,
): (candidates: { input?: string | undefined; config?: string | undefined }) => Store {
  return (candidates) => {
    const choice = chooseStore({
      input: candidates.input,
      config: candidates.config,
      env: context.env,
      credentials: { username: flag(values, "store-username"), password: flag(values, "store-password") },
    });
    context.logger.debug(describeStoreChoice(choice));
    return openStore(choice.spec, { logger: context.logger, cwd: context.cwd, env: context.env, auth: choice.auth });
  };
}

/** Conventional exit statuses of a process stopped by SIGINT / SIGTERM (128 + signal number). */
export const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Runs `work` with an AbortSignal that SIGINT and SIGTERM abort (once, with `interrupted by
 * SIG…`), so the work can stop cleanly — write partial results, undo what it applied — instead of
 * the process dying mid-way. Returns which signal stopped it, if any; the caller exits SIGNAL_EXIT.
 */
export async function stoppable<T>(
  context: CommandContext,
  what: string,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<{ result: T; stoppedBy: NodeJS.Signals | undefined }> {
  const controller = new AbortController();
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stoppedBy) return;
    stoppedBy = signal;
    context.logger.warn(`${signal}: stopping; ${what}`);
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    return { result: await work(controller.signal), stoppedBy };
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
