/**
 * Paths into rows and cases. A case (eval's shape: `vars`, `expected`, `id`, `tags`, `metadata`)
 * is addressed as `question` (a var), `vars.question`, `expected`, `tags.lang`, with `.` into
 * objects and `*` for every key or element. Lookups use own properties only, so a path such as
 * `constructor` or `__proto__` reads what the row holds, never what objects inherit.
 */

/** Rows nested deeper than this are reported and not looked into (a walk must not exhaust the stack or the time). */
export const MAX_NESTING = 64;

const CASE_ROOTS = new Set(["vars", "expected", "id", "tags", "metadata"]);

export interface CaseView {
  id: string;
  vars: Record<string, unknown>;
  expected?: unknown;
  tags: Record<string, string>;
  metadata?: Record<string, unknown>;
}

/** A value found at a path, with the path as people read it (`vars.messages[2].content`). */
export interface FieldValue {
  path: string;
  value: unknown;
}

export function parseFieldPath(path: string): string[] {
  return path.split(".");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** `a.b`, `a["odd key"]`, `a[3]`: how reports name a place in a row. */
export function joinPath(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return parent === "" ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

/** The values a field path names in a case (several with `*`); none when absent. */
export function resolveField(view: CaseView, segments: readonly string[]): FieldValue[] {
  const [first, ...rest] = segments;
  if (first === undefined) return [];
  let start: FieldValue;
  let remaining: readonly string[];
  if (CASE_ROOTS.has(first)) {
    const root =
      first === "vars"
        ? view.vars
        : first === "expected"
          ? view.expected
          : first === "id"
            ? view.id
            : first === "tags"
              ? view.tags
              : view.metadata;
    if (root === undefined) return [];
    start = { path: first, value: root };
    remaining = rest;
  } else {
    start = { path: "vars", value: view.vars };
    remaining = segments;
  }
  let current: FieldValue[] = [start];
  for (const segment of remaining) {
    const next: FieldValue[] = [];
    for (const { path, value } of current) {
      if (segment === "*") {
        if (Array.isArray(value)) for (let i = 0; i < value.length; i++) next.push({ path: joinPath(path, i), value: value[i] });
        else if (isRecord(value)) for (const key of Object.keys(value)) next.push({ path: joinPath(path, key), value: value[key] });
      } else if (Array.isArray(value) && /^\d+$/.test(segment)) {
        const index = Number(segment);
        if (index < value.length) next.push({ path: joinPath(path, index), value: value[index] });
      } else if (isRecord(value) && Object.hasOwn(value, segment)) {
        next.push({ path: joinPath(path, segment), value: value[segment] });
      }
    }
    current = next;
    if (current.length === 0) break;
  }
  return current;
}

/**
 * Walks the strings under a value (array elements and object values, depth first, in the order
 * written; with `keys`, object keys too), calling `visit` with each string and the walker, whose
 * `path()` builds the string's path only when asked: a scan that finds nothing builds none. One
 * walker serves a whole run, so walking a row allocates nothing of its own. Callers bound the
 * nesting with nestingDepth first; levels deeper than MAX_NESTING are not entered.
 */
export class StringWalker {
  readonly #visit: (text: string, walker: StringWalker) => void;
  readonly #trail: (string | number)[] = [];
  #root = "";
  #keys = false;
  #atKey = false;

  constructor(visit: (text: string, walker: StringWalker) => void) {
    this.#visit = visit;
  }

  walk(value: unknown, root: string, keys = false): void {
    this.#root = root;
    this.#keys = keys;
    this.#trail.length = 0;
    this.#walk(value, 0);
  }

  /** The current string's path (`vars.messages[2].content`; a key's path ends in ` (key)`). */
  path(): string {
    let out = this.#root;
    for (const step of this.#trail) out = joinPath(out, step);
    return this.#atKey ? `${out} (key)` : out;
  }

  /** The current string's root and path steps: what identifies a field without building its path. */
  get root(): string {
    return this.#root;
  }

  get trail(): readonly (string | number)[] {
    return this.#trail;
  }

  #walk(v: unknown, depth: number): void {
    if (typeof v === "string") {
      this.#visit(v, this);
      return;
    }
    if (v === null || typeof v !== "object" || depth > MAX_NESTING) return;
    const trail = this.#trail;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        trail.push(i);
        this.#walk(v[i], depth + 1);
        trail.pop();
      }
      return;
    }
    for (const key in v) {
      if (!Object.hasOwn(v, key)) continue;
      trail.push(key);
      if (this.#keys) {
        this.#atKey = true;
        this.#visit(key, this);
        this.#atKey = false;
      }
      this.#walk((v as Record<string, unknown>)[key], depth + 1);
      trail.pop();
    }
  }
}

/** Calls `visit` with every string under `value` and its path (a convenience over StringWalker, for cold paths). */
export function visitStrings(value: unknown, path: string, visit: (text: string, path: () => string) => void, keys = false): void {
  new StringWalker((text, walker) => visit(text, () => walker.path())).walk(value, path, keys);
}

/** How deeply arrays and objects nest in `value`, counted up to `limit + 1` (then it stops looking). */
export function nestingDepth(value: unknown, limit = MAX_NESTING): number {
  let deepest = 0;
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: v, depth } = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    const level = depth + 1;
    if (level > deepest) deepest = level;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === "object") stack.push({ value: child, depth: level });
    }
  }
  return deepest;
}

/**
 * Calls `visit` with each text of a case the text checks read: with `fields`, the strings at those
 * paths (numbers and booleans as written, strings inside objects and arrays too); by default every
 * string in `vars` and `expected`. `walker` must have been made with `visit` as its callback.
 * Returns how many texts there were.
 */
export function forEachCaseText(
  view: CaseView,
  fields: readonly (readonly string[])[] | undefined,
  walker: StringWalker,
  visitScalar: (text: string, path: string) => void,
): void {
  if (!fields) {
    walker.walk(view.vars, "vars");
    if (view.expected !== undefined) walker.walk(view.expected, "expected");
    return;
  }
  for (const segments of fields) {
    for (const found of resolveField(view, segments)) {
      if (typeof found.value === "number" || typeof found.value === "boolean") visitScalar(String(found.value), found.path);
      else walker.walk(found.value, found.path);
    }
  }
}

/** Present: not absent, not null, not a blank string. */
export function isPresent(values: readonly FieldValue[]): boolean {
  return values.some(({ value }) => value !== null && value !== undefined && !(typeof value === "string" && value.trim() === ""));
}
