import { type Logger, retryAfterMs, SIGNATURE_HEADER, signature, type WebhookTargetConfig } from "@llmops/core";
import { parseTemplate, renderParts, sleep } from "@llmops/eval";
import { z } from "zod";
import { type Target, type TargetContext, TargetError, type TargetResult, type TargetVersion } from "../target.ts";
import { attemptSignal, excerpt, networkReason, redact } from "./shared.ts";

/**
 * A signed JSON event for any deployment system with an HTTP hook:
 *
 *     POST <url>
 *     Content-Type: application/json
 *     Idempotency-Key: <promotionId>            (<promotionId>-rollback for the rollback event)
 *     X-Llmops-Signature-256: sha256=<hex>     HMAC-SHA256 of the raw body with the key in secretEnv
 *
 *     {"event":"promote"|"rollback","environment","name","digest","version","previous","promotionId","at"}
 *
 * `name`/`digest`/`version` are the version the environment should serve after the event (null
 * digest and version for a rollback to nothing); `previous` is the version the event replaces when
 * known: null for `promote` (a target is not told what was served before), the promoted version
 * for `rollback`. Receivers verify the signature over the exact bytes and deduplicate on the key:
 * the retries of one delivery (below) carry the same key. Each promotion attempt has its own key:
 * the promotion id is a fresh UUID per run, so running a promotion again (a re-run workflow, the
 * second step of a `proposed` one) sends a new key, and receivers must treat a repeated event for a
 * version already deployed as a no-op themselves.
 *
 * Network errors, timeouts, 408, 429 and 5xx are retried `retries` times with exponential backoff
 * and jitter, or after Retry-After when the server sends one. Redirects are not followed (the
 * signature and headers must not travel to another origin). Logs and errors name the URL's origin
 * only: its path and query, like header values, may hold secrets.
 */

const TYPE = "webhook" as const;

export interface WebhookOptions {
  /** First backoff delay (default 1 s), doubled per attempt, with jitter. */
  baseDelayMs?: number;
  /** No wait longer than this, Retry-After included (default 60 s). */
  maxDelayMs?: number;
  random?: () => number;
  now?: () => Date;
}

export interface WebhookEvent {
  event: "promote" | "rollback";
  environment: string;
  name: string;
  digest: string | null;
  version: string | null;
  previous: { name: string; digest: string; version: string | null } | null;
  promotionId: string;
  at: string;
}

const detailsSchema = z.looseObject({ name: z.string(), digest: z.string(), version: z.string().nullable() });

export { SIGNATURE_HEADER, signature };

/** The parts of a webhook's config one delivery needs; a webhook target's and a webhook router's have them. */
export type WebhookEndpoint = Pick<WebhookTargetConfig, "url" | "headers" | "secretEnv" | "timeoutMs" | "retries">;

/** Makes the caller's own error from a message: a TargetError for the target, a RouterError for the router. */
export type WebhookFail = (message: string, options?: { cause?: unknown }) => Error;

export interface WebhookDelivery {
  /** The URL's origin: all of it a log or a record may name. */
  origin: string;
  status: number;
  attempts: number;
}

/**
 * One endpoint's deliveries: the raw JSON body POSTed with the idempotency key, signed with the key
 * in secretEnv, retried as described above. The webhook target and the webhook router send through
 * it; `fail` makes each one's errors.
 */
export class SignedWebhook {
  readonly #endpoint: WebhookEndpoint;
  readonly #fail: WebhookFail;
  readonly #options: Required<WebhookOptions>;

  constructor(endpoint: WebhookEndpoint, fail: WebhookFail, options: WebhookOptions = {}) {
    for (const [what, template] of [
      ["url", endpoint.url],
      ...Object.keys(endpoint.headers).map((h) => [`header ${h}`, endpoint.headers[h]!]),
    ] as const) {
      checkTemplate(template, what, fail);
    }
    this.#endpoint = endpoint;
    this.#fail = fail;
    this.#options = { baseDelayMs: 1000, maxDelayMs: 60_000, random: Math.random, now: () => new Date(), ...options };
  }

  now(): Date {
    return this.#options.now();
  }

  /** POSTs `raw` until a 2xx, a refusal, or the retries run out; `label` names the event in logs ("promote event"). */
  async deliver(
    raw: string,
    idempotencyKey: string,
    context: { env: NodeJS.ProcessEnv; logger: Logger; signal?: AbortSignal | undefined },
    label: string,
  ): Promise<WebhookDelivery> {
    const config = this.#endpoint;
    const fail = this.#fail;
    const rawUrl = renderEnv(config.url, context.env, "url", fail);
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw fail("url is not a valid URL (after {{env.*}} substitution); expected http(s)://host/path");
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") throw fail(`url: expected http or https, got ${url.protocol}`);
    const origin = url.origin;
    const headers: Record<string, string> = {};
    for (const [name, template] of Object.entries(config.headers)) headers[name] = renderEnv(template, context.env, `header ${name}`, fail);
    // Whatever the configuration may hide (header values, the URL's path and query) never reaches a message.
    const secrets = [...Object.values(headers), url.pathname.length > 1 ? url.pathname : "", url.search];
    headers["Content-Type"] = "application/json";
    headers["User-Agent"] = "llmops-actions";
    headers["Idempotency-Key"] = idempotencyKey;
    if (config.secretEnv) {
      const key = context.env[config.secretEnv];
      if (!key)
        throw fail(`secretEnv ${config.secretEnv} is not set; expected the HMAC key in it (or remove secretEnv to send unsigned events)`);
      headers[SIGNATURE_HEADER] = signature(raw, key);
      secrets.push(key);
    }

    const attempts = config.retries + 1;
    for (let attempt = 1; ; attempt++) {
      let reason: string;
      let wait: number | undefined;
      let refused: string | undefined;
      try {
        const response = await fetch(url, {
          method: "POST",
          headers,
          body: raw,
          redirect: "manual",
          signal: attemptSignal(config.timeoutMs, context.signal),
        });
        const text = await response.text().catch(() => "");
        if (response.ok) {
          context.logger.info(`webhook: ${label} delivered to ${origin} (HTTP ${response.status}, attempt ${attempt})`);
          return { origin, status: response.status, attempts: attempt };
        }
        reason = `HTTP ${response.status}${text ? `: ${excerpt(redact(text, secrets), 200)}` : ""}`;
        const retriable = response.status >= 500 || response.status === 429 || response.status === 408;
        if (!retriable) {
          const redirect = response.status >= 300 && response.status < 400 ? " (redirects are not followed)" : "";
          refused = `POST ${origin} was refused: ${reason}${redirect}`;
        }
        wait = retryAfterMs(response.headers.get("retry-after"));
      } catch (error) {
        if (context.signal?.aborted) throw fail(`POST ${origin} aborted`, { cause: error });
        reason = redact(networkReason(error, config.timeoutMs), secrets);
      }
      if (refused !== undefined) throw fail(refused);
      if (attempt >= attempts) throw fail(`POST ${origin} failed after ${attempt} attempt${attempt === 1 ? "" : "s"}: ${reason}`);
      const backoff =
        Math.min(this.#options.maxDelayMs, this.#options.baseDelayMs * 2 ** (attempt - 1)) * (0.5 + this.#options.random() * 0.5);
      const delay = Math.round(Math.min(this.#options.maxDelayMs, wait ?? backoff));
      context.logger.warn(`webhook: POST ${origin}: ${reason}; retrying in ${delay} ms (attempt ${attempt + 1} of ${attempts})`);
      try {
        await sleep(delay, context.signal);
      } catch (error) {
        throw fail(`POST ${origin} aborted`, { cause: error });
      }
    }
  }
}

export class WebhookTarget implements Target {
  readonly type = TYPE;
  readonly #hook: SignedWebhook;

  constructor(config: WebhookTargetConfig, options: WebhookOptions = {}) {
    this.#hook = new SignedWebhook(config, (message, opts) => new TargetError(TYPE, message, opts), options);
  }

  async apply(version: TargetVersion, context: TargetContext): Promise<TargetResult> {
    return this.#send(
      { event: "promote", name: version.name, digest: version.digest, version: version.version ?? null, previous: null },
      context.promotionId,
      context,
    );
  }

  async rollback(previous: TargetVersion | null, applied: TargetResult, context: TargetContext): Promise<TargetResult> {
    const parsed = detailsSchema.safeParse(applied.details);
    if (!parsed.success) throw new TargetError(TYPE, "rollback: the recorded result of apply is not a webhook result");
    const promoted = parsed.data;
    return this.#send(
      {
        event: "rollback",
        name: previous?.name ?? promoted.name,
        digest: previous?.digest ?? null,
        version: previous?.version ?? null,
        previous: { name: promoted.name, digest: promoted.digest, version: promoted.version },
      },
      `${context.promotionId}-rollback`,
      context,
    );
  }

  async #send(
    event: Pick<WebhookEvent, "event" | "name" | "digest" | "version" | "previous">,
    idempotencyKey: string,
    context: TargetContext,
  ): Promise<TargetResult> {
    const body: WebhookEvent = {
      event: event.event,
      environment: context.environment,
      name: event.name,
      digest: event.digest,
      version: event.version,
      previous: event.previous,
      promotionId: context.promotionId,
      at: this.#hook.now().toISOString(),
    };
    const delivery = await this.#hook.deliver(JSON.stringify(body), idempotencyKey, context, `${event.event} event`);
    return {
      type: TYPE,
      summary: `webhook ${delivery.origin} (HTTP ${delivery.status})`,
      details: {
        origin: delivery.origin,
        status: delivery.status,
        attempts: delivery.attempts,
        event: event.event,
        idempotencyKey,
        name: event.name,
        digest: event.digest,
        version: event.version,
      },
    };
  }
}

function checkTemplate(template: string, what: string, fail: WebhookFail): void {
  let parts: ReturnType<typeof parseTemplate>;
  try {
    parts = parseTemplate(template);
  } catch (error) {
    throw fail(`${what}: ${(error as Error).message}`);
  }
  for (const part of parts) {
    if (part.kind === "variable" && (part.path[0] !== "env" || part.path.length !== 2 || typeof part.path[1] !== "string")) {
      throw fail(`${what}: {{${part.name}}} is not available here; expected {{env.NAME}}`);
    }
  }
}

/** `{{env.NAME}}` substituted from `env`; an unset variable is an error naming it (never its value). */
function renderEnv(template: string, env: NodeJS.ProcessEnv, what: string, fail: WebhookFail): string {
  const parts = parseTemplate(template);
  for (const part of parts) {
    if (part.kind !== "variable") continue;
    const name = String(part.path[1]);
    if (env[name] === undefined) throw fail(`${what}: {{env.${name}}} is used but ${name} is not set`);
  }
  return renderParts(parts, { env: { ...env } });
}
