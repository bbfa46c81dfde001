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
        if (Array.isArray(value)) value.forEach((item, i) => next.push({ path: joinPath(path, i), value: item }));
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
 * Calls `visit` with every string under `value` (array elements and object values, depth first,
 * in the order written) and its path; with `keys`, object keys are visited too (path suffixed
 * ` (key)`). Iterative, so nesting cannot overflow the stack; callers bound it with nestingDepth.
 */
export function visitStrings(value: unknown, path: string, visit: (text: string, path: string) => void, keys = false): void {
  const stack: FieldValue[] = [{ path, value }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    const v = item.value;
    if (typeof v === "string") visit(v, item.path);
    else if (Array.isArray(v)) for (let i = v.length - 1; i >= 0; i--) stack.push({ path: joinPath(item.path, i), value: v[i] });
    else if (isRecord(v)) {
      const names = Object.keys(v);
      for (let i = names.length - 1; i >= 0; i--) {
        const key = names[i]!;
        if (keys) visit(key, `${joinPath(item.path, key)} (key)`);
        stack.push({ path: joinPath(item.path, key), value: v[key] });
      }
    }
  }
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
 * The texts of a case the text checks read: with `fields`, the strings at those paths (numbers and
 * booleans as written, strings inside objects and arrays too); by default every string in `vars`
 * and `expected`. Ordered by path, so rows that differ only in key order have the same texts.
 */
export function caseTexts(view: CaseView, fields: readonly (readonly string[])[] | undefined): FieldValue[] {
  const out: FieldValue[] = [];
  const collect = (value: unknown, path: string) => {
    if (typeof value === "number" || typeof value === "boolean") out.push({ path, value: String(value) });
    else visitStrings(value, path, (text, at) => out.push({ path: at, value: text }));
  };
  if (fields) {
    for (const segments of fields) for (const found of resolveField(view, segments)) collect(found.value, found.path);
  } else {
    visitStrings(view.vars, "vars", (text, at) => out.push({ path: at, value: text }));
    if (view.expected !== undefined) visitStrings(view.expected, "expected", (text, at) => out.push({ path: at, value: text }));
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Present: not absent, not null, not a blank string. */
export function isPresent(values: readonly FieldValue[]): boolean {
  return values.some(({ value }) => value !== null && value !== undefined && !(typeof value === "string" && value.trim() === ""));
}
