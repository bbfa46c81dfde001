import { type Logger, type MonitorAlertConfig, oneLine, postNotification, SIGNATURE_HEADER } from "@llmops/core";
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
export const MONITOR_SIGNATURE_HEADER = SIGNATURE_HEADER;

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

/** POSTs the payload through core's signed notification (one home for signing, retries and redaction with promotion's). */
export async function sendMonitorWebhook(
  payload: Record<string, unknown>,
  webhook: NonNullable<MonitorAlertConfig["webhook"]>,
  options: Pick<NotifyMonitorOptions, "env" | "logger" | "retryDelayMs">,
): Promise<MonitorNotification> {
  const sent = await postNotification(payload, webhook, { ...options, where: "alert.webhook", userAgent: "llmops-monitor" });
  return { channel: "webhook", ...sent };
}
