import type { WebhookRouterConfig } from "@llmops/core";
import type { TargetVersion } from "../../target.ts";
import { SignedWebhook, type WebhookOptions } from "../../targets/webhook.ts";
import { type RolloutVersions, type Router, type RouterContext, RouterError, type RouterReading } from "../router.ts";

/**
 * Each traffic change as a signed JSON event, for any router with an HTTP hook (a service mesh
 * controller, a feature-flag service, a script), sent exactly as the webhook target sends its
 * events (SignedWebhook: X-Llmops-Signature-256 over the raw body, retries, no redirects, nothing
 * secret in messages):
 *
 *     {"event":"llmops.traffic","environment","rolloutId","canaryPercent",
 *      "stable":{"name","digest","version"}|null,"candidate":{"name","digest","version"}}
 *
 * The Idempotency-Key is `<rolloutId>-traffic-<canaryPercent>`: a rollout's percentages only grow
 * until it ends at 0, so the key names one state of one rollout, and a resumed rollout repeating a
 * step sends the same key with the same bytes. That is why the body has no timestamp: receivers
 * that hold a key to its first payload (the IETF Idempotency-Key draft answers 422 otherwise)
 * must see the repeat as the same request. A webhook cannot be read back: `read` is undefined and
 * the rollout counts requests from its metrics.
 */

const TYPE = "webhook" as const;

export interface TrafficEvent {
  event: "llmops.traffic";
  environment: string;
  rolloutId: string;
  canaryPercent: number;
  stable: EventVersion | null;
  candidate: EventVersion;
}

interface EventVersion {
  name: string;
  digest: string;
  version: string | null;
}

export function createWebhookRouter(config: WebhookRouterConfig, options: WebhookOptions = {}): Router {
  return new WebhookRouter(new SignedWebhook(config, (message, opts) => new RouterError(TYPE, message, opts), options));
}

class WebhookRouter implements Router {
  readonly type = TYPE;
  readonly variantNames = { stable: "stable", canary: "canary" };
  readonly #hook: SignedWebhook;

  constructor(hook: SignedWebhook) {
    this.#hook = hook;
  }

  async setCanaryPercent(canaryPercent: number, versions: RolloutVersions, context: RouterContext): Promise<RouterReading> {
    if (!Number.isInteger(canaryPercent) || canaryPercent < 0 || canaryPercent > 100)
      throw new RouterError(TYPE, `canaryPercent must be an integer from 0 to 100, got ${canaryPercent}`);
    const event: TrafficEvent = {
      event: "llmops.traffic",
      environment: context.environment,
      rolloutId: context.rolloutId,
      canaryPercent,
      stable: versions.stable ? eventVersion(versions.stable) : null,
      candidate: eventVersion(versions.candidate),
    };
    const idempotencyKey = `${context.rolloutId}-traffic-${canaryPercent}`;
    const delivery = await this.#hook.deliver(JSON.stringify(event), idempotencyKey, context, `traffic event (${canaryPercent}% canary)`);
    return {
      canaryPercent,
      details: { ...delivery, idempotencyKey },
      summary: `webhook ${delivery.origin} (HTTP ${delivery.status}): ${100 - canaryPercent} stable / ${canaryPercent} canary`,
    };
  }

  async read(_versions: RolloutVersions, _context: RouterContext): Promise<undefined> {
    return undefined;
  }
}

function eventVersion(version: TargetVersion): EventVersion {
  return { name: version.name, digest: version.digest, version: version.version ?? null };
}
