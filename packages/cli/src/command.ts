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
