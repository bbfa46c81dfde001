import { InputError } from "@llmops/core";

/** An `--include` pattern that is not a relative glob (empty, absolute, `..`, unbalanced brackets). */
export class IncludePatternError extends InputError {}

/** `--include` patterns that matched no file of the version (fetch refuses them before touching its destination). */
export class UnmatchedIncludeError extends InputError {
  readonly patterns: string[];
  constructor(ref: string, patterns: string[]) {
    super(
      `ref ${ref}: --include ${patterns.map((p) => JSON.stringify(p)).join(", ")}: matches no file of the version; the destination was not touched`,
    );
    this.patterns = patterns;
  }
}

/** One matcher of a segment pattern: a literal code point, `?`, a bracket class, or `*`. */
type Token =
  | { kind: "char"; cp: number }
  | { kind: "any" }
  | { kind: "class"; negate: boolean; ranges: [number, number][] }
  | { kind: "star" };

/** A pattern segment: `**` (any number of path segments), or tokens matching one path segment. */
type Segment = "**" | Token[];

/** A compiled pattern: `test` as a RegExp's, so callers may hold either. */
export interface Glob {
  readonly pattern: string;
  test(path: string): boolean;
}

/**
 * Glob patterns over version paths: `*` and `?` within a segment, `[abc]`, `[a-z]`, `[!x]` classes,
 * `**` as a whole segment for any number of segments, `\` to escape. No special case for dot files:
 * a version's paths are data, not a shell's working tree. A pattern that matches a directory
 * selects everything under it (`train` is `train/**`). Our own small matcher: no glob library is a
 * declared dependency of the workspace, and this subset is all fetch and ls need.
 *
 * Matching never backtracks exponentially: a path is split into segments, a segment is matched
 * by the linear two-pointer wildcard algorithm (`*` remembers only its last position), and `**`
 * across segments by dynamic programming over (pattern segment, path segment): at most
 * O(pattern segments × path segments) segment matches. Consecutive `**` are one. A class never
 * matches `/` (a segment holds none).
 */
export function compileGlob(pattern: string): Glob {
  const bad = (why: string): never => {
    throw new IncludePatternError(`--include ${JSON.stringify(pattern)}: ${why}; expected a relative glob such as 'train/**'`);
  };
  if (pattern === "") bad("empty pattern");
  if (pattern.startsWith("/") || /^[A-Za-z]:/.test(pattern)) bad("absolute path");
  const texts = pattern.replace(/\/+$/, "").split("/");
  if (texts.some((s) => s === ".." || s === "." || s === "")) bad("contains a '..', '.' or empty segment");
  const segments: Segment[] = [];
  for (const text of texts) {
    if (text === "**") {
      if (segments.at(-1) !== "**") segments.push("**");
      continue;
    }
    segments.push(parseSegment(text, bad));
  }
  return { pattern, test: (path) => matchPath(segments, path.split("/")) };
}

function parseSegment(segment: string, bad: (why: string) => never): Token[] {
  const cps = Array.from(segment, (c) => c.codePointAt(0)!);
  const tokens: Token[] = [];
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i]!;
    if (c === 0x5c /* \ */) {
      if (i + 1 >= cps.length) bad("ends with an escaping backslash");
      tokens.push({ kind: "char", cp: cps[++i]! });
    } else if (c === 0x2a /* * */) {
      if (tokens.at(-1)?.kind !== "star") tokens.push({ kind: "star" });
    } else if (c === 0x3f /* ? */) tokens.push({ kind: "any" });
    else if (c === 0x5b /* [ */) {
      // The first character after `[` (or `[!`) may be `]` itself, as in the shell.
      const end = cps.indexOf(0x5d, i + 2);
      if (end < 0) bad("unbalanced '['");
      let body = cps.slice(i + 1, end);
      const negate = body[0] === 0x21 || body[0] === 0x5e;
      if (negate) body = body.slice(1);
      if (body.length === 0) bad("empty bracket class");
      const ranges: [number, number][] = [];
      for (let j = 0; j < body.length; j++) {
        const lo = body[j]!;
        if (body[j + 1] === 0x2d /* - */ && j + 2 < body.length) {
          const hi = body[j + 2]!;
          if (hi < lo) bad("not a valid pattern");
          ranges.push([lo, hi]);
          j += 2;
        } else ranges.push([lo, lo]);
      }
      tokens.push({ kind: "class", negate, ranges });
      i = end;
    } else if (c === 0x5d /* ] */) bad("unbalanced ']'");
    else tokens.push({ kind: "char", cp: c });
  }
  return tokens;
}

function single(t: Token, cp: number): boolean {
  switch (t.kind) {
    case "char":
      return t.cp === cp;
    case "any":
      return true;
    case "class": {
      let hit = false;
      for (const [lo, hi] of t.ranges) {
        if (cp >= lo && cp <= hi) {
          hit = true;
          break;
        }
      }
      return hit !== t.negate;
    }
    default:
      return false;
  }
}

/** The two-pointer wildcard match: on a mismatch, only the last `*` is retried, one character further. O(tokens × characters). */
function matchSegment(tokens: Token[], text: string): boolean {
  const cps = Array.from(text, (c) => c.codePointAt(0)!);
  let p = 0;
  let s = 0;
  let star = -1;
  let mark = 0;
  while (s < cps.length) {
    const t = tokens[p];
    if (t !== undefined && t.kind === "star") {
      star = p++;
      mark = s;
    } else if (t !== undefined && single(t, cps[s]!)) {
      p++;
      s++;
    } else if (star >= 0) {
      p = star + 1;
      s = ++mark;
    } else return false;
  }
  while (p < tokens.length && tokens[p]!.kind === "star") p++;
  return p === tokens.length;
}

/**
 * Whether `segments` match a prefix of `parts` (a directory selects what is under it). A `**`
 * other than the last matches zero or more segments; the last matches one or more.
 */
function matchPath(segments: Segment[], parts: string[]): boolean {
  const m = segments.length;
  const n = parts.length;
  // reach[j]: the pattern's first i segments can match the path's first j segments.
  let reach = new Uint8Array(n + 1);
  reach[0] = 1;
  for (let i = 0; i < m; i++) {
    const seg = segments[i]!;
    const next = new Uint8Array(n + 1);
    let any = false;
    if (seg === "**") {
      const last = i === m - 1;
      // Zero or more segments (one or more when last): a prefix-closure of reach.
      let on = false;
      for (let j = 0; j <= n; j++) {
        if (on) next[j] = 1;
        if (reach[j]) on = true;
        if (!last && on) next[j] = 1;
      }
    } else {
      for (let j = 0; j < n; j++) if (reach[j] && matchSegment(seg, parts[j]!)) next[j + 1] = 1;
    }
    for (let j = 0; j <= n; j++) if (next[j]) any = true;
    if (!any) return false;
    reach = next;
  }
  // Matched segments followed by nothing, or by what is under a matched directory.
  for (let j = 1; j <= n; j++) if (reach[j]) return true;
  return false;
}

/** A predicate over paths for `patterns` (any one matching selects); undefined when there are none. */
export function includeMatcher(patterns: readonly string[] | undefined): ((path: string) => boolean) | undefined {
  return includeFilter(patterns)?.match;
}

export interface IncludeFilter {
  match(path: string): boolean;
  /** The patterns that have matched no path given to `match` so far, in the order given. */
  unmatched(): string[];
}

/** includeMatcher that also remembers which patterns matched nothing (fetch refuses those, ls notes them). */
export function includeFilter(patterns: readonly string[] | undefined): IncludeFilter | undefined {
  if (!patterns || patterns.length === 0) return undefined;
  const globs = patterns.map(compileGlob);
  const hit = new Array<boolean>(globs.length).fill(false);
  let pending = globs.length;
  return {
    match(path) {
      let selected = false;
      if (pending > 0) {
        for (let i = 0; i < globs.length; i++) {
          if (!hit[i] && globs[i]!.test(path)) {
            hit[i] = true;
            pending--;
            selected = true;
          }
        }
        if (selected) return true;
      }
      for (let i = 0; i < globs.length; i++) if (hit[i] && globs[i]!.test(path)) return true;
      return false;
    },
    unmatched: () => patterns.filter((_, i) => !hit[i]),
  };
}
