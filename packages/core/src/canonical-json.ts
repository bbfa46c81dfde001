/**
 * Deterministic JSON: object keys sorted by code point, no insignificant whitespace, so equal
 * values always serialise to equal bytes (and so to equal digests). `undefined` members are dropped
 * as JSON.stringify does; non-finite numbers are refused because JSON cannot carry them.
 */
export function canonicalJson(value: unknown): string {
  return serialise(value, "$");
}

function serialise(value: unknown, path: string): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`${path}: ${value} cannot be represented in JSON`);
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) {
        return `[${value.map((item, i) => (item === undefined ? "null" : serialise(item, `${path}[${i}]`))).join(",")}]`;
      }
      if (typeof (value as { toJSON?: unknown }).toJSON === "function") {
        return serialise((value as { toJSON(): unknown }).toJSON(), path);
      }
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${serialise(v, `${path}.${k}`)}`).join(",")}}`;
    }
    default:
      throw new TypeError(`${path}: a ${typeof value} cannot be represented in JSON`);
  }
}
