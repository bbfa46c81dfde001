/** Number formatting shared by the Markdown renderers: few digits, same rule everywhere. */

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1000) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(3);
}

export function formatSigned(value: number): string {
  const text = formatNumber(value);
  return value > 0 ? `+${text}` : text;
}

export function formatPercent(value: number): string {
  return `${value > 0 ? "+" : ""}${(value * 100).toFixed(1)}%`;
}

export function formatP(value: number): string {
  return value < 0.001 ? "<0.001" : value.toFixed(3);
}

/** Only plain http(s) URLs become links; anything else could smuggle Markdown or javascript:. */
export function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  return /^https?:\/\/[^\s<>"'`()[\]|\\]+$/.test(url) ? url : undefined;
}
