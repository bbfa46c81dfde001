/**
 * Milliseconds to wait from an HTTP `Retry-After` value (RFC 9110 §10.2.3): delay-seconds
 * (decimals tolerated, as some APIs send them) or an HTTP date. Undefined when absent or
 * unreadable; a date in the past is 0.
 */
export function retryAfterMs(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
