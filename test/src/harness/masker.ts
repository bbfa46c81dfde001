/**
 * The runner's secret masking: every occurrence of a registered value becomes `***`; overlapping
 * or adjacent occurrences of different values merge into one `***`.
 */
export function maskSecrets(text: string, secrets: Iterable<string>): string {
  const ranges: [number, number][] = [];
  for (const secret of secrets) {
    if (!secret) continue;
    for (let at = text.indexOf(secret); at >= 0; at = text.indexOf(secret, at + 1)) ranges.push([at, at + secret.length]);
  }
  if (ranges.length === 0) return text;
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  let out = "";
  let cursor = 0;
  let current: [number, number] | null = null;
  for (const range of ranges) {
    if (current && range[0] <= current[1]) {
      current[1] = Math.max(current[1], range[1]);
      continue;
    }
    if (current) {
      out += `${text.slice(cursor, current[0])}***`;
      cursor = current[1];
    }
    current = [range[0], range[1]];
  }
  if (current) {
    out += `${text.slice(cursor, current[0])}***`;
    cursor = current[1];
  }
  return out + text.slice(cursor);
}
