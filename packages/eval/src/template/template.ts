/**
 * `{{var}}` / `{{var.path}}` / `{{items[0].name}}` substitution, deliberately without logic: a
 * prompt is data, and anything it needs computed belongs in the case's vars.
 */

export type TemplatePart = { kind: "text"; text: string } | { kind: "variable"; name: string; path: (string | number)[] };

/** A template that cannot be parsed; `offset` is where in the template string. */
export class TemplateSyntaxError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = "TemplateSyntaxError";
    this.offset = offset;
  }
}

/** A variable the scope does not have. */
export class MissingVariableError extends Error {
  readonly variable: string;
  constructor(variable: string) {
    super(`variable "${variable}" is not set`);
    this.name = "MissingVariableError";
    this.variable = variable;
  }
}

const PATH_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*|\[\d+\])*$/;

export function parseTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let at = 0;
  while (at < template.length) {
    const open = template.indexOf("{{", at);
    if (open === -1) {
      parts.push({ kind: "text", text: template.slice(at) });
      break;
    }
    if (open > at) parts.push({ kind: "text", text: template.slice(at, open) });
    const close = template.indexOf("}}", open + 2);
    if (close === -1) throw new TemplateSyntaxError(`unclosed "{{" at offset ${open}`, open);
    const name = template.slice(open + 2, close).trim();
    if (!PATH_PATTERN.test(name)) {
      throw new TemplateSyntaxError(
        `expected a variable name like {{text}} or {{user.name}}, got "{{${template.slice(open + 2, close)}}}"`,
        open,
      );
    }
    parts.push({ kind: "variable", name, path: splitPath(name) });
    at = close + 2;
  }
  return parts;
}

/** `a.b[0].c` → ["a", "b", 0, "c"]; also used for response paths. */
export function splitPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const match of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (match[2] !== undefined) out.push(Number(match[2]));
    else if (match[1] !== undefined) out.push(match[1]);
  }
  return out;
}

/** Distinct variable names a template uses, in order of first use. */
export function templateVariables(template: string): string[] {
  const names = new Set<string>();
  for (const part of parseTemplate(template)) if (part.kind === "variable") names.add(part.name);
  return [...names];
}

export function lookupPath(scope: unknown, path: readonly (string | number)[]): { found: boolean; value: unknown } {
  let value: unknown = scope;
  for (const key of path) {
    if (value === null || typeof value !== "object") return { found: false, value: undefined };
    if (Array.isArray(value) && typeof key === "string") return { found: false, value: undefined };
    if (!Object.hasOwn(value, key)) return { found: false, value: undefined };
    value = (value as Record<string | number, unknown>)[key];
  }
  return { found: value !== undefined, value };
}

/** How a value reads inside text: strings as they are, null as nothing, objects and arrays as JSON. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

export function renderParts(parts: readonly TemplatePart[], scope: Record<string, unknown>): string {
  let out = "";
  for (const part of parts) {
    if (part.kind === "text") {
      out += part.text;
      continue;
    }
    const { found, value } = lookupPath(scope, part.path);
    if (!found) throw new MissingVariableError(part.name);
    out += formatValue(value);
  }
  return out;
}

export function renderTemplate(template: string, scope: Record<string, unknown>): string {
  return renderParts(parseTemplate(template), scope);
}
