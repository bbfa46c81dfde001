import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { ExitCode, exitCodeOf, LlmopsError, oneLine, stderrLogger, UsageError } from "@llmops/core";
import type { Command, CommandContext } from "./command.ts";
import { commands as registeredCommands } from "./commands/index.ts";

const globalOptions = {
  help: { type: "boolean", short: "h" },
  json: { type: "boolean" },
  verbose: { type: "boolean", short: "v" },
} as const;

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

export function rootUsage(commands: Command[]): string {
  const width = Math.max(8, ...commands.map((c) => c.name.length));
  const lines = [
    "usage: llmops <command> [options]",
    "",
    "Version, evaluate, compare and promote ML and LLM models.",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Global options:",
    "  --json         print one JSON document on stdout (logs go to stderr)",
    "  -v, --verbose  debug logging",
    "  -h, --help     show help (also `llmops <command> --help`)",
    "  --version      print the version",
    "",
    "Exit codes: 0 success, 1 a gate failed, 2 usage/config/input error, 3 an external system failed.",
  ];
  return `${lines.join("\n")}\n`;
}

export function commandUsage(path: string, command: Command): string {
  const lines = [`usage: llmops ${path} ${command.usage}`.trimEnd(), "", command.summary];
  if (command.subcommands?.length) {
    lines.push("", "Commands:", ...command.subcommands.map((s) => `  ${s.name}  ${s.summary}`));
  }
  const options = Object.entries(command.options);
  if (options.length) {
    lines.push("", "Options:");
    for (const [name, option] of options) {
      const flag = `${option.short ? `-${option.short}, ` : ""}--${name}${option.type === "string" ? " <value>" : ""}`;
      lines.push(`  ${flag.padEnd(28)} ${command.optionHelp?.[name] ?? ""}`.trimEnd());
    }
  }
  lines.push("  --json".padEnd(31) + "print one JSON document on stdout");
  return `${lines.join("\n")}\n`;
}

interface MainIo {
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  commands?: Command[];
}

/** Runs `llmops` with the given arguments and returns the process exit code. */
export async function main(argv: string[], io: MainIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const commands = io.commands ?? registeredCommands;
  const [first, ...rest] = argv;

  if (first === undefined || first === "--help" || first === "-h" || first === "help") {
    (first === undefined ? stderr : stdout).write(rootUsage(commands));
    return first === undefined ? ExitCode.Usage : ExitCode.Success;
  }
  if (first === "--version" || first === "-V") {
    stdout.write(`${version()}\n`);
    return ExitCode.Success;
  }

  let path = "";
  let command: Command | undefined;
  let args = argv;
  try {
    if (first.startsWith("-")) throw new UsageError(`unknown option ${first}`);
    command = commands.find((c) => c.name === first);
    if (!command) throw new UsageError(`unknown command "${first}"`);
    path = command.name;
    args = rest;
    // Descend into nested commands (`eval merge`) while the next word names one.
    while (command.subcommands?.length && args[0] && !args[0].startsWith("-")) {
      const sub: Command | undefined = command.subcommands.find((s) => s.name === args[0]);
      if (!sub) break;
      command = sub;
      path = `${path} ${sub.name}`;
      args = args.slice(1);
    }
  } catch (error) {
    stderr.write(`llmops: ${oneLine(error)}\n${rootUsage(commands).split("\n")[0]}\n`);
    return ExitCode.Usage;
  }

  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options: { ...globalOptions, ...command.options }, allowPositionals: true, strict: true });
  } catch (error) {
    const message = oneLine(error).replace(/\. To specify a positional argument.*$/, "");
    stderr.write(`llmops ${path}: ${message}\nusage: llmops ${path} ${command.usage}\n`);
    return ExitCode.Usage;
  }
  if (parsed.values.help) {
    stdout.write(commandUsage(path, command));
    return ExitCode.Success;
  }

  const context: CommandContext = {
    logger: stderrLogger({ verbose: Boolean(parsed.values.verbose), stream: stderr }),
    json: Boolean(parsed.values.json),
    stdout,
    stderr,
    env: io.env ?? process.env,
    cwd: io.cwd ?? process.cwd(),
    interactive: Boolean((stderr as { isTTY?: boolean }).isTTY) && !(io.env ?? process.env).CI,
  };
  try {
    return await command.run(parsed as Parameters<Command["run"]>[0], context);
  } catch (error) {
    const code = exitCodeOf(error);
    stderr.write(`llmops ${path}: ${oneLine(error)}\n`);
    if (error instanceof UsageError) stderr.write(`usage: llmops ${path} ${command.usage}\n`);
    if (!(error instanceof LlmopsError) && context.logger && parsed.values.verbose && error instanceof Error) {
      stderr.write(`${error.stack ?? ""}\n`);
    }
    return code;
  }
}
