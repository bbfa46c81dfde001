import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { ExitCode } from "@llmops/core";
import type { Command, CommandContext } from "./command.ts";
import { commands as registeredCommands } from "./commands/index.ts";

/**
 * The exit codes of what is answered before any command runs (help, the version, a usage error).
 * Their home is @llmops/core's ExitCode, which tsc holds these to; core itself is loaded only when
 * a command runs or an error is reported, so that `--help` loads no workspace package.
 */
const Exit = { Success: 0, Usage: 2 } as const satisfies Pick<typeof ExitCode, "Success" | "Usage">;

/** @llmops/core: its errors, logger and oneLine, once a command runs or an error is reported. */
const core = () => import("@llmops/core");

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
    return first === undefined ? Exit.Usage : Exit.Success;
  }
  if (first === "--version" || first === "-V") {
    stdout.write(`${version()}\n`);
    return Exit.Success;
  }

  let command = first.startsWith("-") ? undefined : commands.find((c) => c.name === first);
  if (!command) {
    const { oneLine } = await core();
    const problem = first.startsWith("-") ? `unknown option ${first}` : `unknown command "${first}"`;
    stderr.write(`llmops: ${oneLine(problem)}\n${rootUsage(commands).split("\n")[0]}\n`);
    return Exit.Usage;
  }
  let path = command.name;
  let args = rest;
  // Descend into nested commands (`eval merge`) while the next word names one.
  while (command.subcommands?.length && args[0] && !args[0].startsWith("-")) {
    const sub: Command | undefined = command.subcommands.find((s) => s.name === args[0]);
    if (!sub) break;
    command = sub;
    path = `${path} ${sub.name}`;
    args = args.slice(1);
  }

  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options: { ...globalOptions, ...command.options }, allowPositionals: true, strict: true });
  } catch (error) {
    const { oneLine } = await core();
    const message = oneLine(error).replace(/\. To specify a positional argument.*$/, "");
    stderr.write(`llmops ${path}: ${message}\nusage: llmops ${path} ${command.usage}\n`);
    return Exit.Usage;
  }
  if (parsed.values.help) {
    stdout.write(commandUsage(path, command));
    return Exit.Success;
  }

  const { exitCodeOf, LlmopsError, oneLine, stderrLogger, UsageError } = await core();
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
