/**
 * A module tool of the `support-agent` suite (llmops.yaml, `agent.tools.convert_currency`): the
 * agent loop calls it with the arguments of the model's `convert_currency` call, and sends what it
 * returns back to the model as the tool's result. Fixed demo rates stand in for a rates API.
 */

/** US dollars per unit of each currency (demo values, not market data). */
const USD_PER_UNIT: Record<string, number> = { USD: 1, EUR: 1.08, GBP: 1.25, JPY: 0.0065 };

export function convertCurrency(args: unknown): { amount: number; currency: string } {
  const { amount, from, to } = (args ?? {}) as { amount?: unknown; from?: unknown; to?: unknown };
  if (typeof amount !== "number" || !Number.isFinite(amount)) throw new Error("amount must be a number");
  const rateFrom = typeof from === "string" ? USD_PER_UNIT[from] : undefined;
  const rateTo = typeof to === "string" ? USD_PER_UNIT[to] : undefined;
  if (rateFrom === undefined || rateTo === undefined) throw new Error(`unknown currency: ${rateFrom === undefined ? from : to}`);
  // Cents, rounded half away from zero.
  return { amount: Math.round(((amount * rateFrom) / rateTo) * 100) / 100, currency: to as string };
}
