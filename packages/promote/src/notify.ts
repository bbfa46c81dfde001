import { type Logger, type NotifyConfig, oneLine, postNotification } from "@llmops/core";
import { codeSpan, escapeInline } from "@llmops/report";
import { z } from "zod";
import type { AlertIssues } from "./github-seams.ts";

/**
 * Who hears about a "no" (refused requirements, a failed target, a failed smoke eval, a roll-back):
 * the environment's alert issue (opened or updated in place, closed by the next success) and a
 * JSON webhook. A notification that cannot be delivered is logged and reported in the result;
 * it never changes the outcome of the promotion it is about.
 */

/** What happened, with everything the issue body and the webhook payload need. */
export interface Alert {
  /** `refused`, `failed`, `smoke-failed`, `rolled-back`, `conflict`. */
  event: string;
  environment: string;
  name: string;
  /** The version the promotion was about. */
  digest: string;
  version?: string | undefined;
  /** What the alias points at now. */
  serving: string | null;
  /** One line: what happened. */
  summary: string;
  /** Why, one item each (unmet requirements, errors); foreign text, escaped when rendered. */
  reasons: string[];
  promotionId: string;
  actor?: string | undefined;
  runUrl?: string | undefined;
}

export const notificationSchema = z.strictObject({
  channel: z.enum(["issue", "webhook"]),
  action: z.enum(["raised", "resolved", "sent", "skipped", "failed"]),
  /** The issue's URL, or the webhook's origin (never its path or query: they may hold a token). */
  target: z.string().optional(),
  error: z.string().optional(),
});
export type Notification = z.infer<typeof notificationSchema>;

const TITLES: Record<string, (env: string) => string> = {
  refused: (env) => `llmops: promotion to ${env} refused`,
  "rolled-back": (env) => `llmops: ${env} rolled back`,
  "smoke-failed": (env) => `llmops: smoke eval in ${env} failed`,
};

/** The alert issue's title: one per environment, updated in place. */
export function alertTitle(alert: Pick<Alert, "event" | "environment">): string {
  return (TITLES[alert.event] ?? ((env: string) => `llmops: promotion to ${env} failed`))(alert.environment);
}

/** A link only for an http(s) URL with nothing Markdown could misread; anything else is escaped text. */
function link(text: string, url: string | undefined): string | undefined {
  if (!url) return undefined;
  return /^https?:\/\/[^\s()<>[\]"'`]+$/.test(url) ? `[${text}](${url})` : escapeInline(url);
}

/** The alert issue's Markdown body: every foreign string (names, reasons, actors) escaped. */
export function alertBody(alert: Alert): string {
  const version = alert.version ? `${escapeInline(alert.version)} ` : "";
  const lines = [
    `**${escapeInline(alert.summary)}**`,
    "",
    `- Environment: ${escapeInline(alert.environment)}`,
    `- Version: ${escapeInline(alert.name)} ${version}${codeSpan(alert.digest)}`,
    `- Serving now: ${alert.serving ? codeSpan(alert.serving) : "nothing"}`,
    `- Event: ${escapeInline(alert.event)}`,
    `- Promotion: ${codeSpan(alert.promotionId)}`,
  ];
  if (alert.actor) lines.push(`- Actor: ${escapeInline(alert.actor)}`);
  const run = link("workflow run", alert.runUrl);
  if (run) lines.push(`- Run: ${run}`);
  if (alert.reasons.length > 0) {
    lines.push("", "### Why", "");
    for (const reason of alert.reasons) lines.push(`- ${escapeInline(reason)}`);
  }
  lines.push("", "_This issue is updated in place and closed by the next successful promotion to this environment._", "");
  return lines.join("\n");
}

/** Slack's `text` escaping (mrkdwn): only `&`, `<` and `>` are special. */
function slackEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The webhook's JSON body: a Slack-compatible `text` plus the machine fields. */
export function webhookPayload(alert: Alert): Record<string, unknown> {
  const lines = [slackEscape(`${alertTitle(alert)}: ${alert.summary}`), ...alert.reasons.map((r) => `• ${slackEscape(r)}`)];
  if (alert.runUrl) lines.push(slackEscape(alert.runUrl));
  return {
    text: lines.join("\n"),
    event: alert.event,
    environment: alert.environment,
    name: alert.name,
    digest: alert.digest,
    ...(alert.version ? { version: alert.version } : {}),
    serving: alert.serving,
    reasons: alert.reasons,
    promotionId: alert.promotionId,
    ...(alert.actor ? { actor: alert.actor } : {}),
    ...(alert.runUrl ? { runUrl: alert.runUrl } : {}),
  };
}

export interface NotifyOptions {
  config: NotifyConfig | undefined;
  alerts?: AlertIssues | undefined;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Pause before the webhook's one retry (default 1 s). */
  retryDelayMs?: number;
}

/** Tells everyone configured about a "no". Never throws. */
export async function notifyAlert(alert: Alert, options: NotifyOptions): Promise<Notification[]> {
  const out: Notification[] = [];
  const issue = options.config?.issue ?? false;
  if (issue !== false && options.alerts) {
    const labels = typeof issue === "object" ? issue.labels : [];
    try {
      const raised = await options.alerts.raise(alert.environment, { title: alertTitle(alert), body: alertBody(alert), labels });
      out.push({ channel: "issue", action: "raised", target: raised.url });
      options.logger.info(`alert issue ${raised.url} updated`);
    } catch (error) {
      out.push({ channel: "issue", action: "failed", error: oneLine(error) });
      options.logger.warn(`alert issue for ${alert.environment} not updated: ${oneLine(error)}`);
    }
  } else if (issue !== false) {
    out.push({ channel: "issue", action: "skipped", error: "no GitHub issues access (outside GitHub Actions?)" });
  }
  if (options.config?.webhook) out.push(await sendWebhook(webhookPayload(alert), options.config.webhook, options));
  return out;
}

/** Closes the environment's alert issue after a success. Never throws. */
export async function resolveAlert(
  environment: string,
  comment: string,
  options: Pick<NotifyOptions, "config" | "alerts" | "logger">,
): Promise<Notification[]> {
  if ((options.config?.issue ?? false) === false || !options.alerts) return [];
  try {
    const resolved = await options.alerts.resolve(environment, comment);
    if (!resolved) return [];
    options.logger.info(`alert issue ${resolved.url} closed`);
    return [{ channel: "issue", action: "resolved", target: resolved.url }];
  } catch (error) {
    options.logger.warn(`alert issue for ${environment} not closed: ${oneLine(error)}`);
    return [{ channel: "issue", action: "failed", error: oneLine(error) }];
  }
}

/** POSTs the payload through core's signed notification (one home for signing, retries and redaction). */
export async function sendWebhook(
  payload: Record<string, unknown>,
  webhook: NonNullable<NotifyConfig["webhook"]>,
  options: Pick<NotifyOptions, "env" | "logger" | "retryDelayMs">,
): Promise<Notification> {
  const sent = await postNotification(payload, webhook, { ...options, where: "notify.webhook", userAgent: "llmops-promote" });
  return { channel: "webhook", ...sent };
}
