import { createHmac } from "node:crypto";
import { type Logger, type MonitorAlertConfig, oneLine } from "@llmops/core";
import type { MonitorNotification } from "./result.ts";

/**
 * The alert lifecycle of one monitor: while it alerts, its GitHub issue (one per environment and
 * monitor) is opened, then updated in place on every later run; when a run finds everything
 * configured judged and passing, the issue is closed with a comment. A webhook hears of each
 * opened and resolved alert (and of every alerting run when there is no issue to remember that
 * one is open). A notification that cannot be delivered is reported, never thrown.
 */

/** Which alert: one per environment and monitor (its suite, else `drift`). */
export interface MonitorAlertKey {
  environment: string;
  suite: string;
}

/**
 * The seam to the issue tracker (@llmops/github implements it with the GitHub REST API; tests and
 * other CIs pass their own or none). `raise` opens the key's issue or updates the open one, never a
 * second; `resolve` closes the open one with `comment`, returning undefined when none is open.
 */
export interface MonitorAlerts {
  raise(
    key: MonitorAlertKey,
    alert: { title: string; body: string; labels: string[] },
  ): Promise<{ url: string; number: number; opened: boolean }>;
  resolve(key: MonitorAlertKey, comment: string): Promise<{ url: string; number: number } | undefined>;
}

/** The header carrying `sha256=<hex>` of the body, HMAC-SHA256 with the secret (the same as promotion webhooks). */
export const MONITOR_SIGNATURE_HEADER = "X-Llmops-Signature-256";

export interface AlertMessage {
  key: MonitorAlertKey;
  title: string;
  /** The issue body (Markdown, foreign text escaped). */
  body: string;
  /** One line each: why it alerts (plain text). */
  reasons: string[];
  /** The comment closing the issue on recovery. */
  resolvedComment: string;
  serving?: string | undefined;
  runUrl?: string | undefined;
}

export interface NotifyMonitorOptions {
  config: MonitorAlertConfig;
  alerts?: MonitorAlerts | undefined;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Pause before the webhook's one retry (default 1 s). */
  retryDelayMs?: number;
}

/** Raises (alerting) or resolves (ok) the monitor's alert; `inconclusive` leaves it as it is. */
export async function notifyMonitor(
  status: "alerting" | "ok" | "inconclusive",
  message: AlertMessage,
  options: NotifyMonitorOptions,
): Promise<MonitorNotification[]> {
  const out: MonitorNotification[] = [];
  if (status === "inconclusive") return out;
  const issue = options.config.issue;
  const where = `${message.key.environment}/${message.key.suite}`;
  let issueAction: MonitorNotification["action"] | undefined;
  if (issue !== false) {
    if (!options.alerts) {
      if (status === "alerting") {
        issueAction = "skipped";
        out.push({ channel: "issue", action: "skipped", error: "no GitHub issues access (no token or repository)" });
      }
    } else {
      try {
        if (status === "alerting") {
          const labels = typeof issue === "object" ? issue.labels : [];
          const raised = await options.alerts.raise(message.key, { title: message.title, body: message.body, labels });
          issueAction = raised.opened ? "opened" : "updated";
          out.push({ channel: "issue", action: issueAction, target: raised.url });
        } else {
          const resolved = await options.alerts.resolve(message.key, message.resolvedComment);
          if (resolved) {
            issueAction = "resolved";
            out.push({ channel: "issue", action: "resolved", target: resolved.url });
          }
        }
      } catch (error) {
        issueAction = "failed";
        out.push({ channel: "issue", action: "failed", error: oneLine(error) });
        options.logger.warn(`alert issue for ${where} not ${status === "alerting" ? "raised" : "closed"}: ${oneLine(error)}`);
      }
    }
  }
  const webhook = options.config.webhook;
  if (webhook) {
    // Once per opened alert and per recovery; every alerting run when no issue remembers that one is open.
    const tell = status === "alerting" ? issueAction !== "updated" : issueAction === "resolved";
    if (tell) out.push(await sendMonitorWebhook(webhookPayload(status, message), webhook, options));
  }
  return out;
}

/** Slack's `text` escaping (mrkdwn): only `&`, `<` and `>` are special. */
function slackEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The webhook's JSON body: a Slack-compatible `text` plus the machine fields. */
export function webhookPayload(status: "alerting" | "ok", message: AlertMessage): Record<string, unknown> {
  const headline = status === "alerting" ? message.title : `${message.title.replace(/:[^:]*$/, "")}: recovered`;
  const lines = [slackEscape(headline), ...(status === "alerting" ? message.reasons.map((r) => `• ${slackEscape(r)}`) : [])];
  if (message.runUrl) lines.push(slackEscape(message.runUrl));
  return {
    text: lines.join("\n"),
    event: status === "alerting" ? "monitor-alert" : "monitor-resolved",
    environment: message.key.environment,
    suite: message.key.suite,
    reasons: status === "alerting" ? message.reasons : [],
    ...(message.serving ? { serving: message.serving } : {}),
    ...(message.runUrl ? { runUrl: message.runUrl } : {}),
  };
}

/** `{{env.NAME}}` in a webhook URL, from the process environment; `missing` names an unset variable. */
function expandEnv(template: string, env: NodeJS.ProcessEnv): { value: string } | { missing: string } {
  let missing: string | undefined;
  const value = template.replace(/\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, name: string) => {
    const v = env[name];
    if (v === undefined || v === "") missing ??= name;
    return v ?? "";
  });
  return missing !== undefined ? { missing } : { value };
}

/**
 * POSTs the payload, signed when `secretEnv` is set (never unsigned when it is set but empty);
 * one retry on a network error, a timeout or a 5xx. Only the URL's origin is ever logged or
 * returned: its path or query may carry a token.
 */
export async function sendMonitorWebhook(
  payload: Record<string, unknown>,
  webhook: NonNullable<MonitorAlertConfig["webhook"]>,
  options: Pick<NotifyMonitorOptions, "env" | "logger" | "retryDelayMs">,
): Promise<MonitorNotification> {
  const expanded = expandEnv(webhook.url, options.env);
  if ("missing" in expanded) {
    const error = `alert.webhook.url uses {{env.${expanded.missing}}}, which is not set`;
    options.logger.warn(`webhook not sent: ${error}`);
    return { channel: "webhook", action: "failed", error };
  }
  let url: URL;
  try {
    url = new URL(expanded.value);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("not http(s)");
  } catch {
    const error = "alert.webhook.url is not an http(s) URL";
    options.logger.warn(`webhook not sent: ${error}`);
    return { channel: "webhook", action: "failed", error };
  }
  const origin = url.origin;
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "llmops-monitor" };
  if (webhook.secretEnv) {
    const secret = options.env[webhook.secretEnv];
    if (!secret) {
      const error = `alert.webhook.secretEnv ${webhook.secretEnv} is not set; not sending it unsigned`;
      options.logger.warn(`webhook ${origin} not sent: ${error}`);
      return { channel: "webhook", action: "failed", target: origin, error };
    }
    headers[MONITOR_SIGNATURE_HEADER] = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
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
        return { channel: "webhook", action: "sent", target: origin };
      }
      problem = `HTTP ${response.status}`;
      if (response.status < 500) break;
    } catch (error) {
      const e = error as { name?: string; cause?: { code?: string } };
      // Never the error's message: undici's may contain the URL.
      problem =
        e.name === "TimeoutError" || e.name === "AbortError"
          ? `no answer within ${webhook.timeoutMs} ms`
          : e.cause?.code
            ? `network error (${e.cause.code})`
            : "network error";
    }
  }
  options.logger.warn(`webhook ${origin} failed: ${problem}`);
  return { channel: "webhook", action: "failed", target: origin, error: problem };
}
