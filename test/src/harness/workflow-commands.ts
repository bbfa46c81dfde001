// Workflow commands on stdout/stderr, processed by the rules of actions/runner
// (src/Runner.Common/ActionCommand.cs for parsing and escaping, src/Runner.Worker/ActionCommandManager.cs
// for stop-commands, masks and annotations, Handlers/OutputManager.cs for which lines are tried).
import { isAbsolute, relative, sep } from "node:path";
import { maskSecrets } from "./masker.ts";

export type AnnotationLevel = "error" | "warning" | "notice";

export type Annotation = {
  level: AnnotationLevel;
  message: string;
  file?: string;
  line?: number;
  col?: number;
  endLine?: number;
  endColumn?: number;
  title?: string;
};

export type ParsedCommand = {
  command: string;
  /** Property names are case-insensitive in the runner: keys here are lower-cased. */
  properties: Map<string, string>;
  data: string;
};

const REGISTERED = [
  "stop-commands",
  "set-env",
  "set-output",
  "save-state",
  "add-mask",
  "add-path",
  "add-matcher",
  "remove-matcher",
  "debug",
  "warning",
  "error",
  "notice",
  "group",
  "endgroup",
  "echo",
];

function undoEscapes(text: string, mappings: [string, string][]): string {
  let out = text;
  for (const [escaped, plain] of mappings) out = out.replaceAll(escaped, plain);
  return out;
}

// Applied in this order by the runner, so "%25" is undone last and "%250A" stays "%0A".
const DATA_ESCAPES: [string, string][] = [
  ["%0D", "\r"],
  ["%0A", "\n"],
  ["%25", "%"],
];
const PROPERTY_ESCAPES: [string, string][] = [
  ["%0D", "\r"],
  ["%0A", "\n"],
  ["%3A", ":"],
  ["%2C", ","],
  ["%25", "%"],
];
const LEGACY_ESCAPES: [string, string][] = [
  ["%3B", ";"],
  ["%0D", "\r"],
  ["%0A", "\n"],
  ["%5D", "]"],
  ["%25", "%"],
];

function parseProperties(text: string, separator: string, escapes: [string, string][]): Map<string, string> {
  const properties = new Map<string, string>();
  for (const part of text.split(separator)) {
    if (part === "") continue;
    const equals = part.indexOf("=");
    if (equals <= 0 || equals === part.length - 1) continue;
    const key = part.slice(0, equals).toLowerCase();
    properties.set(key, undoEscapes(part.slice(equals + 1), escapes));
  }
  return properties;
}

/** `::name key=value,key=value::data` (leading whitespace allowed); null if not a registered command. */
export function parseCommandV2(input: string, registered: Set<string>): ParsedCommand | null {
  const message = input.trimStart();
  if (!message.startsWith("::")) return null;
  const end = message.indexOf("::", 2);
  if (end < 0) return null;
  const info = message.slice(2, end);
  const space = info.indexOf(" ");
  const command = space < 0 ? info : info.slice(0, space);
  if (!registered.has(command.toLowerCase())) return null;
  const properties = space > 0 ? parseProperties(info.slice(space + 1).trim(), ",", PROPERTY_ESCAPES) : new Map<string, string>();
  return { command: command.toLowerCase(), properties, data: undoEscapes(message.slice(end + 2), DATA_ESCAPES) };
}

/** The older `##[name key=value;key=value]data` form the runner still accepts. */
export function parseCommandLegacy(input: string, registered: Set<string>): ParsedCommand | null {
  const prefix = input.indexOf("##[");
  if (prefix < 0) return null;
  const bracket = input.indexOf("]", prefix);
  if (bracket < 0) return null;
  const info = input.slice(prefix + 3, bracket);
  const space = info.indexOf(" ");
  const command = space < 0 ? info : info.slice(0, space);
  if (!registered.has(command.toLowerCase())) return null;
  const properties = space > 0 ? parseProperties(info.slice(space + 1), ";", LEGACY_ESCAPES) : new Map<string, string>();
  return { command: command.toLowerCase(), properties, data: undoEscapes(input.slice(bracket + 1), LEGACY_ESCAPES) };
}

const INTEGER = /^\s*[+-]?\d+\s*$/;

function toInt(value: string | undefined): number | undefined {
  return value !== undefined && INTEGER.test(value) ? Number.parseInt(value, 10) : undefined;
}

/** The runner's ValidateLinesAndColumns: repairs or drops inconsistent positions instead of failing. */
function validatePositions(p: Map<string, string>): void {
  let line = p.get("line");
  const endLine = p.get("endline");
  const col = p.get("col");
  const endColumn = p.get("endcolumn");
  const lineNumber = toInt(line) ?? 0;
  const endLineNumber = toInt(endLine) ?? 0;
  const colNumber = toInt(col) ?? 0;
  const endColumnNumber = toInt(endColumn) ?? 0;
  let hasLine = toInt(line) !== undefined;
  const hasEndLine = toInt(endLine) !== undefined;
  let hasCol = toInt(col) !== undefined;
  const hasEndColumn = toInt(endColumn) !== undefined;
  const hasColumn = hasCol || hasEndColumn;
  if (hasEndLine && !hasLine) {
    p.set("line", endLine!);
    hasLine = true;
    line = endLine;
  }
  if (hasEndColumn && !hasCol) {
    p.set("col", endColumn!);
    hasCol = true;
  }
  const dropColumns = () => {
    p.delete("col");
    p.delete("endcolumn");
  };
  if (!hasLine && hasColumn) dropColumns();
  if (hasEndLine && line !== endLine && hasColumn) dropColumns();
  if (hasLine && hasEndLine && endLineNumber < lineNumber) {
    p.delete("line");
    p.delete("endline");
  }
  if (hasCol && hasEndColumn && endColumnNumber < colNumber) dropColumns();
}

export type LogLine = { step: string; stream: "stdout" | "stderr" | "runner"; text: string };

export type CommandContext = {
  step: string;
  workspace: string;
  /** Masks registered so far in the job; add-mask appends to it. */
  masks: string[];
  annotations: Annotation[];
  /** What the runner's log would show: plain output lines, group markers, annotations; all masked. */
  log: LogLine[];
  debug: string[];
  /** Failures the runner reports by failing the step. */
  errors: string[];
  env: Record<string, string>;
};

const DEPRECATED_OUTPUT_COMMAND = (name: string) =>
  `The \`${name}\` command is deprecated and will be disabled soon. Please upgrade to using Environment Files. ` +
  "For more information see: https://github.blog/changelog/2022-10-11-github-actions-deprecating-save-state-and-set-output-commands/";
const DISABLED_COMMAND = (name: string) =>
  `The \`${name}\` command is disabled. Please upgrade to using Environment Files or opt into unsecure command execution by setting the \`ACTIONS_ALLOW_UNSECURE_COMMANDS\` environment variable to \`true\`. For more information see: https://github.blog/changelog/2020-10-01-github-actions-deprecating-set-env-and-add-path-commands/`;
const BAD_STOP_TOKEN =
  "You cannot use a endToken that is an empty string, the string 'pause-logging', or another workflow command. For more information see: https://docs.github.com/actions/learn-github-actions/workflow-commands-for-github-actions#example-stopping-and-starting-workflow-commands or opt into insecure command execution by setting the `ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS` environment variable to `true`.";

// Commands whose input line the runner never echoes (their data may be secret or is shown otherwise).
const OMIT_ECHO = new Set(["debug", "warning", "error", "notice", "add-mask"]);

/** One step's command processing: the runner creates a fresh command manager per step. */
export class CommandProcessor {
  readonly context: CommandContext;
  private readonly registered = new Set(REGISTERED);
  private stopToken: string | null = null;
  private echo = false;

  constructor(context: CommandContext) {
    this.context = context;
  }

  private stream: LogLine["stream"] = "runner";

  private write(text: string, stream: LogLine["stream"] = this.stream): void {
    this.context.log.push({ step: this.context.step, stream, text: this.mask(text) });
  }

  private mask(text: string): string {
    return maskSecrets(text, this.context.masks);
  }

  private addAnnotation(level: AnnotationLevel, message: string, properties = new Map<string, string>()): void {
    const annotation: Annotation = { level, message: this.mask(message) };
    const file = properties.get("file");
    if (file) {
      const rel = isAbsolute(file) ? relative(this.context.workspace, file) : file;
      annotation.file = isAbsolute(file) && !rel.startsWith("..") && !isAbsolute(rel) ? rel.split(sep).join("/") : file;
    }
    const fields = [
      ["line", "line"],
      ["col", "col"],
      ["endLine", "endline"],
      ["endColumn", "endcolumn"],
    ] as const;
    for (const [field, key] of fields) {
      const value = toInt(properties.get(key));
      if (value !== undefined) annotation[field] = value;
    }
    const title = properties.get("title");
    if (title !== undefined) annotation.title = title;
    this.context.annotations.push(annotation);
    this.write(`##[${level}]${annotation.message}`, "runner");
  }

  private fail(commandInformation: string, reason: string): void {
    const first = `Unable to process command '${commandInformation}' successfully.`;
    this.addAnnotation("error", first);
    this.addAnnotation("error", reason);
    this.context.errors.push(`${first} ${reason}`);
  }

  private allowed(variable: string): boolean {
    return (this.context.env[variable] ?? "").toLowerCase() === "true";
  }

  /** Handles one output line (stdout or stderr) as the runner's OutputManager does. */
  processLine(line: string, stream: "stdout" | "stderr"): void {
    this.stream = stream;
    if (line.includes("##[") || line.includes("::")) {
      const command = parseCommandV2(line, this.registered) ?? parseCommandLegacy(line, this.registered);
      if (command && this.run(command, line)) return;
    }
    this.write(line);
  }

  private run(command: ParsedCommand, input: string): boolean {
    if (this.stopToken !== null) {
      if (command.command !== this.stopToken.toLowerCase()) return false;
      this.write(input);
      this.registered.delete(this.stopToken.toLowerCase());
      this.stopToken = null;
      return true;
    }
    if (command.command === "stop-commands") {
      const token = command.data;
      const invalid = token === "" || this.registered.has(token.toLowerCase()) || token.toLowerCase() === "pause-logging";
      if (invalid && !this.allowed("ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS")) {
        this.fail(input, BAD_STOP_TOKEN);
        return true;
      }
      this.stopToken = token;
      this.registered.add(token.toLowerCase());
      if (token.length > 6) this.context.masks.push(token);
      this.write(input);
      return true;
    }
    if (this.echo && !OMIT_ECHO.has(command.command)) this.write(input);
    const info = OMIT_ECHO.has(command.command) ? command.command : input;
    switch (command.command) {
      case "error":
      case "warning":
      case "notice":
        validatePositions(command.properties);
        this.addAnnotation(command.command, command.data, command.properties);
        break;
      case "debug":
        this.context.debug.push(this.mask(command.data));
        break;
      case "add-mask":
        if (command.data.trim() === "") {
          this.addAnnotation("warning", "Can't add secret mask for empty string in ##[add-mask] command.");
        } else {
          this.context.masks.push(command.data);
          for (const part of command.data.split(/[\r\n]/)) if (part.trim()) this.context.masks.push(part.trim());
        }
        break;
      case "group":
        this.write(`##[group]${command.data}`);
        break;
      case "endgroup":
        this.write("##[endgroup]");
        break;
      case "set-output":
      case "save-state":
        // Current runners deprecate these; the harness does not apply them so that an action
        // relying on them fails its tests instead of breaking when the runner drops them.
        this.addAnnotation("warning", `${DEPRECATED_OUTPUT_COMMAND(command.command)} (ignored by the test harness)`);
        break;
      case "set-env":
      case "add-path":
        this.fail(info, DISABLED_COMMAND(command.command));
        break;
      case "echo": {
        const value = command.data.trim().toUpperCase();
        if (value === "ON") this.echo = true;
        else if (value === "OFF") this.echo = false;
        else this.fail(info, `Invalid echo command value. Possible values can be: 'on', 'off'. Current value is: '${command.data}'.`);
        break;
      }
      default:
        // add-matcher / remove-matcher: problem matchers are not simulated.
        this.context.debug.push(`harness: ignored ::${command.command}::`);
    }
    return true;
  }
}
