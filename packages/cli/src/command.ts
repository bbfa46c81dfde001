// What every command is and receives, and the helpers of their definitions. Light: this module and
// every `commands/*.def.ts` (and the registry, main and help that import them) load no workspace
// package at run time, so that `llmops --help` and any command load only what they use (see
// test/lazy-commands.test.ts). The packages a command needs are loaded by its `run`.
import type { ParseArgsConfig } from "node:util";
import type { Logger } from "@llmops/core";

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

/**
 * One `llmops <name>` subcommand. Later capabilities add theirs to `commands/index.ts`: the
 * definition (everything but the work) in `commands/<name>.def.ts`, whose `run` loads the work
 * from `commands/<name>.ts` with `lazyRun`.
 */
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

/**
 * A `run` that loads the command's implementation (and the packages it imports) when the command
 * runs, not when the registry is read: `run: lazyRun(() => import("./tag.ts").then((m) => m.runTag))`.
 */
export function lazyRun(load: () => Promise<Command["run"]>): Command["run"] {
  return async (args, context) => (await load())(args, context);
}

/** Rejects with a UsageError (exit 2 and the usage line); @llmops/core, its home, is loaded only then. */
export async function usageError(message: string): Promise<never> {
  const { UsageError } = await import("@llmops/core");
  throw new UsageError(message);
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

/** A string option's value as given (empty included). */
export function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** A repeatable string option's values. */
export function list(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  return typeof value === "string" ? [value] : [];
}

export function printJson(context: CommandContext, value: unknown): void {
  context.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
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
