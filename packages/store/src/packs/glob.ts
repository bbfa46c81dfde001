import { InputError } from "@llmops/core";

/** An `--include` pattern that is not a relative glob (empty, absolute, `..`, unbalanced brackets). */
export class IncludePatternError extends InputError {}

/**
 * Glob patterns over version paths: `*` and `?` within a segment, `[abc]`, `[a-z]`, `[!x]` classes,
 * `**` as a whole segment for any number of segments, `\` to escape. No special case for dot files:
 * a version's paths are data, not a shell's working tree. A pattern that matches a directory
 * selects everything under it (`train` is `train/**`). Our own small matcher: no glob library is a
 * declared dependency of the workspace, and this subset is all fetch and ls need.
 */
export function compileGlob(pattern: string): RegExp {
  const bad = (why: string): never => {
    throw new IncludePatternError(`--include ${JSON.stringify(pattern)}: ${why}; expected a relative glob such as 'train/**'`);
  };
  if (pattern === "") bad("empty pattern");
  if (pattern.startsWith("/") || /^[A-Za-z]:/.test(pattern)) bad("absolute path");
  const segments = pattern.replace(/\/+$/, "").split("/");
  if (segments.some((s) => s === ".." || s === "." || s === "")) bad("contains a '..', '.' or empty segment");
  let source = "";
  for (const [n, segment] of segments.entries()) {
    const last = n === segments.length - 1;
    if (segment === "**") {
      source += last ? ".*" : "(?:[^/]+/)*";
      continue;
    }
    for (let i = 0; i < segment.length; i++) {
      const c = segment[i]!;
      if (c === "\\") {
        if (i + 1 >= segment.length) bad("ends with an escaping backslash");
        source += escapeChar(segment[++i]!);
      } else if (c === "*") source += "[^/]*";
      else if (c === "?") source += "[^/]";
      else if (c === "[") {
        const end = segment.indexOf("]", i + 2);
        if (end < 0) bad("unbalanced '['");
        let body = segment.slice(i + 1, end);
        const negate = body.startsWith("!") || body.startsWith("^");
        if (negate) body = body.slice(1);
        if (body === "") bad("empty bracket class");
        source += `[${negate ? "^/" : ""}${body.replace(/[\\\]^]/g, (m) => `\\${m}`)}]`;
        i = end;
      } else if (c === "]") bad("unbalanced ']'");
      else source += escapeChar(c);
    }
    if (!last) source += "/";
  }
  try {
    // Matching a directory selects what is under it.
    return new RegExp(`^${source}(?:/.*)?$`, "s");
  } catch {
    return bad("not a valid pattern");
  }
}

function escapeChar(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

/** A predicate over paths for `patterns` (any one matching selects); undefined when there are none. */
export function includeMatcher(patterns: readonly string[] | undefined): ((path: string) => boolean) | undefined {
  if (!patterns || patterns.length === 0) return undefined;
  const res = patterns.map(compileGlob);
  return (path) => res.some((re) => re.test(path));
}
