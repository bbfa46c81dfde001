/**
 * The exit-code contract (README.md, "Stable machine interface"): 0 success, 1 a gate failed (a verdict, not an error),
 * 2 usage/config/input error, 3 an external system failed after retries.
 */
export const ExitCode = {
  Success: 0,
  GateFailed: 1,
  Usage: 2,
  External: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Base of every error the project raises on purpose; `exitCode` decides how the CLI exits. */
export class LlmopsError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Bad command line, flag or argument. */
export class UsageError extends LlmopsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.Usage, options);
  }
}

/** Bad input data: a path, a name, a reference, a file's content. */
export class InputError extends LlmopsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.Usage, options);
  }
}

/** Where in a config file a problem is, 1-based as editors show it. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** A config file that does not match its schema; names file:line:column, YAML path and what was expected. */
export class ConfigError extends LlmopsError {
  readonly location: SourceLocation | undefined;
  readonly yamlPath: string;
  readonly expected: string;
  constructor(expected: string, yamlPath: string, location?: SourceLocation) {
    const where = location ? `${location.file}:${location.line}:${location.column}` : "config";
    super(`${where}: ${yamlPath || "(root)"}: ${expected}`, ExitCode.Usage);
    this.location = location;
    this.yamlPath = yamlPath;
    this.expected = expected;
  }
}

/** An external system (registry, model API, GitHub) failed after retries. */
export class ExternalError extends LlmopsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.External, options);
  }
}

/** One or more gates failed: a verdict, not a malfunction. */
export class GateFailedError extends LlmopsError {
  readonly reasons: string[];
  constructor(reasons: string[]) {
    super(`gate failed: ${reasons.join("; ")}`, ExitCode.GateFailed);
    this.reasons = reasons;
  }
}

/** The exit code for any thrown value: unknown errors are treated as external failures. */
export function exitCodeOf(error: unknown): ExitCode {
  return error instanceof LlmopsError ? error.exitCode : ExitCode.External;
}

/**
 * A single line, so one error is one line in logs and annotations: every line break (\r alone
 * too: GitHub's runner splits on it, so it could start a forged `::workflow-command::`) and every
 * other control character becomes a space.
 */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message
    .replace(/\s*[\r\n\u2028\u2029]\s*/g, " ")
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, " ")
    .trim();
}
