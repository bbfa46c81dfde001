export type { Command, CommandContext, ParsedArgs } from "./command.ts";
export { main, version } from "./main.ts";
