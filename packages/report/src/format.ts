/**
 * Number formatting of the Markdown renderers. formatNumber and formatSigned are core's, the one
 * rule for every number shown to people (tables, gate descriptions, CLI output).
 */
export { formatNumber, formatSigned } from "@llmops/core";

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
