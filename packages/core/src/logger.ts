/**
 * Packages log through this interface so the CLI (stderr), the actions (@actions/core) and tests
 * (a recorder) share them unchanged.
 */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** Writes to stderr (or the given stream) so stdout stays free for `--json` documents. */
export function stderrLogger(options: { verbose?: boolean; stream?: NodeJS.WritableStream } = {}): Logger {
  const stream = options.stream ?? process.stderr;
  const write = (prefix: string, message: string) => stream.write(`${prefix}${message}\n`);
  return {
    debug: (m) => {
      if (options.verbose) write("debug: ", m);
    },
    info: (m) => write("", m),
    warn: (m) => write("warning: ", m),
    error: (m) => write("error: ", m),
  };
}

/** Keeps every message, for tests. */
export interface RecordingLogger extends Logger {
  readonly lines: { level: "debug" | "info" | "warn" | "error"; message: string }[];
}

export function recordingLogger(): RecordingLogger {
  const lines: RecordingLogger["lines"] = [];
  return {
    lines,
    debug: (message) => lines.push({ level: "debug", message }),
    info: (message) => lines.push({ level: "info", message }),
    warn: (message) => lines.push({ level: "warn", message }),
    error: (message) => lines.push({ level: "error", message }),
  };
}
