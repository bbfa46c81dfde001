import { createHmac } from "node:crypto";
import type { Logger } from "./logger.ts";

/**
 * The signed JSON POST that tells people something happened (a refused promotion, a rollback, a
 * monitoring alert), shared by promotion's and the monitor's notifications so both sign, retry and
 * keep secrets out of logs the same way.
 */

/** The header a receiver verifies: `sha256=<hex HMAC-SHA256 of the exact body>`. */
export const SIGNATURE_HEADER = "X-Llmops-Signature-256";

/** `sha256=<hex>` of `body` with `key`, the value of X-Llmops-Signature-256. */
export function signature(body: string | Uint8Array, key: string): string {
  return `sha256=${createHmac("sha256", key).update(body).digest("hex")}`;
}

/** `{{env.NAME}}` in a template, from the process environment; `missing` names an unset (or empty) variable. */
export function expandEnvTemplate(template: string, env: NodeJS.ProcessEnv): { value: string } | { missing: string } {
  let missing: string | undefined;
  const value = template.replace(/\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, name: string) => {
    const v = env[name];
    if (v === undefined || v === "") missing ??= name;
    return v ?? "";
  });
  return missing !== undefined ? { missing } : { value };
}

export interface NotifyWebhook {
  /** May use `{{env.NAME}}`. */
  url: string;
  /** The variable holding the HMAC key; when named, the payload is never sent unsigned. */
  secretEnv?: string | undefined;
  timeoutMs: number;
}

export interface NotifyWebhookResult {
  action: "sent" | "failed";
  /** The URL's origin: its path or query may carry a token, so never more. */
  target?: string;
  error?: string;
}

/**
 * POSTs `payload`, signed when `secretEnv` is set (never unsigned when it is set but empty); one
 * retry on a network error, a timeout or a 5xx. `where` names the config key in messages
 * (`notify.webhook`, `alert.webhook`).
 */
export async function postNotification(
  payload: Record<string, unknown>,
  webhook: NotifyWebhook,
  options: { env: NodeJS.ProcessEnv; logger: Logger; retryDelayMs?: number | undefined; where: string; userAgent: string },
): Promise<NotifyWebhookResult> {
  const expanded = expandEnvTemplate(webhook.url, options.env);
  if ("missing" in expanded) {
    const error = `${options.where}.url uses {{env.${expanded.missing}}}, which is not set`;
    options.logger.warn(`webhook not sent: ${error}`);
    return { action: "failed", error };
  }
  let url: URL;
  try {
    url = new URL(expanded.value);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("not http(s)");
  } catch {
    const error = `${options.where}.url is not an http(s) URL`;
    options.logger.warn(`webhook not sent: ${error}`);
    return { action: "failed", error };
  }
  const origin = url.origin;
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = { "content-type": "application/json", "user-agent": options.userAgent };
  if (webhook.secretEnv) {
    const secret = options.env[webhook.secretEnv];
    if (!secret) {
      const error = `${options.where}.secretEnv ${webhook.secretEnv} is not set; not sending it unsigned`;
      options.logger.warn(`webhook ${origin} not sent: ${error}`);
      return { action: "failed", target: origin, error };
    }
    headers[SIGNATURE_HEADER] = signature(body, secret);
  }
  let problem = "";
  for (let attempt = 0; attempt < 2; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, options.retryDelayMs ?? 1000));
    try {
      const response = await fetch(url, {
        method: "POST",
        headers,
        body,
        signal: AbortSignal.timeout(webhook.timeoutMs),
        redirect: "error",
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) {
        options.logger.info(`webhook ${origin}: sent`);
        return { action: "sent", target: origin };
      }
      problem = `HTTP ${response.status}`;
      if (response.status < 500) break;
    } catch (error) {
      problem = networkProblem(error, webhook.timeoutMs);
    }
  }
  options.logger.warn(`webhook ${origin} failed: ${problem}`);
  return { action: "failed", target: origin, error: problem };
}

/** A fetch failure without its URL (undici's messages and causes may contain it). */
function networkProblem(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; cause?: { code?: string } };
  if (e.name === "TimeoutError" || e.name === "AbortError") return `no answer within ${timeoutMs} ms`;
  return e.cause?.code ? `network error (${e.cause.code})` : "network error";
}
