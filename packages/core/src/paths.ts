import { isAbsolute, relative, sep } from "node:path";

/** Whether the absolute path `inner` is `outer` itself or below it (a name such as `..x` stays inside). */
export function isInside(inner: string, outer: string): boolean {
  const rel = relative(outer, inner);
  return rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}
