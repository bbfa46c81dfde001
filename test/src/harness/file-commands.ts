// File commands (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STATE, GITHUB_PATH) parsed by the rules of the
// Linux runner (actions/runner src/Runner.Worker/FileCommandManager.cs, EnvFileKeyValuePairs and
// AddPathFileCommand). Differences are deliberate and marked.

/** A file command the runner would reject; the runner fails the step with this message. */
export class FileCommandError extends Error {
  override name = "FileCommandError";
}

/** Reads one line starting at `index`: only "\n" ends a line on Linux, so "\r" stays in the text. */
function readLine(text: string, index: number): { line: string; next: number; newline: boolean } | null {
  if (index >= text.length) return null;
  const lf = text.indexOf("\n", index);
  if (lf < 0) return { line: text.slice(index), next: text.length, newline: false };
  return { line: text.slice(index, lf), next: lf + 1, newline: true };
}

/**
 * Parses `name=value` lines and `name<<DELIMITER` heredocs. Empty lines are skipped; later
 * pairs with the same name win when the caller stores them in a map.
 */
export function parseKeyValueFile(content: string): [string, string][] {
  // File.ReadAllText drops a UTF-8 byte order mark.
  const text = content.startsWith("\uFEFF") ? content.slice(1) : content;
  const pairs: [string, string][] = [];
  let cursor = readLine(text, 0);
  while (cursor) {
    const { line } = cursor;
    let next = cursor.next;
    if (line !== "") {
      const equals = line.indexOf("=");
      const heredoc = line.indexOf("<<");
      if (equals >= 0 && (heredoc < 0 || equals < heredoc)) {
        const name = line.slice(0, equals);
        // The runner means to reject this but tests the whole line instead of the name, so it
        // lets `=value` through as an empty name; an empty name is never intended, so reject it.
        if (name === "") throw new FileCommandError(`Invalid format '${line}'. Name must not be empty`);
        pairs.push([name, line.slice(equals + 1)]);
      } else if (heredoc >= 0) {
        const name = line.slice(0, heredoc);
        const delimiter = line.slice(heredoc + 2);
        if (name === "" || delimiter === "") {
          throw new FileCommandError(`Invalid format '${line}'. Name must not be empty and delimiter must not be empty`);
        }
        const start = next;
        let end = next;
        let value = readLine(text, next);
        while (value?.line !== delimiter) {
          if (!value) throw new FileCommandError(`Invalid value. Matching delimiter not found '${delimiter}'`);
          if (!value.newline) throw new FileCommandError("Invalid value. EOF marker missing new line.");
          end = value.next - 1;
          value = readLine(text, value.next);
        }
        next = value.next;
        pairs.push([name, end > start ? text.slice(start, end) : ""]);
      } else {
        throw new FileCommandError(`Invalid format '${line}'`);
      }
    }
    cursor = readLine(text, next);
  }
  return pairs;
}

/** GITHUB_PATH: one directory per line (File.ReadAllLines splits on \r\n, \n and \r), empty lines skipped. */
export function parsePathFile(content: string): string[] {
  const text = content.startsWith("\uFEFF") ? content.slice(1) : content;
  return text.split(/\r\n|\n|\r/).filter((line) => line !== "");
}

/**
 * Adds GITHUB_PATH entries to the job's prepend list the way the runner does: an entry added
 * again moves to the end; the list is prepended to PATH newest first.
 */
export function addPathEntries(prependPath: string[], entries: string[]): void {
  for (const entry of entries) {
    const at = prependPath.indexOf(entry);
    if (at >= 0) prependPath.splice(at, 1);
    prependPath.push(entry);
  }
}

export function prependedPath(prependPath: string[], original: string): string {
  const prefix = [...prependPath].reverse().join(":");
  if (!prefix) return original;
  return original ? `${prefix}:${original}` : prefix;
}

/** Env names the runner refuses to take from GITHUB_ENV (it records an error annotation and skips them). */
export const blockedEnvNames = ["NODE_OPTIONS"];
