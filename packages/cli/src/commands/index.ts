import type { Command } from "../command.ts";

/** Every `llmops` subcommand, in the order `--help` lists them. */
export const commands: Command[] = [];
