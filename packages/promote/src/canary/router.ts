import { ExternalError, type Logger, type RouterConfig } from "@llmops/core";
import type { GitHubSeams } from "../github-seams.ts";
import type { TargetVersion } from "../target.ts";

/**
 * A traffic router between an environment's two slots: `stable` (the version its alias names) and
 * `canary` (the candidate). A canary rollout only ever talks to it through this interface.
 */

export interface RouterContext {
  environment: string;
  /** The rollout's id (every record of one rollout shares it): idempotency key of webhook events. */
  rolloutId: string;
  /** Directory of llmops.yaml: relative paths (a socket) resolve from here. */
  configDir: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  github: GitHubSeams;
  signal?: AbortSignal;
}

/** The two versions a split is between. */
export interface RolloutVersions {
  stable: TargetVersion | null;
  candidate: TargetVersion;
}

export interface RouterReading {
  /** Percent of traffic the router sends to the canary slot (0–100), as read back or as set. */
  canaryPercent: number;
  /**
   * Requests each slot has served, cumulative since the router's counters started (HAProxy's
   * `stot`), when the router counts them; the rollout subtracts the count at the step's start.
   */
  requests?: { stable: number; canary: number };
  /** Machine-readable details (weights, commit sha, HTTP status), recorded with the decision. */
  details: Record<string, unknown>;
  /** One line for people: "haproxy model: blue 95 / green 5". */
  summary: string;
}

export interface Router {
  readonly type: RouterConfig["type"];
  /** The value `{{variant}}` takes in metric queries for each slot (HAProxy: the server names). */
  readonly variantNames: { stable: string; canary: string };
  /**
   * Sends `canaryPercent` (0–100) of the traffic to the canary slot and the rest to stable. Safe to
   * repeat with the same value (a resumed rollout does). Returns the split as read back after the
   * change where the router can be read.
   */
  setCanaryPercent(canaryPercent: number, versions: RolloutVersions, context: RouterContext): Promise<RouterReading>;
  /**
   * The split (and request counts) now; undefined when the router cannot be read (a webhook).
   * `versions` tell a router that names versions rather than slots (KServe) whose share it reads.
   */
  read(versions: RolloutVersions, context: RouterContext): Promise<RouterReading | undefined>;
}

/** A router that could not be reached or refused a change; the message names the router. */
export class RouterError extends ExternalError {
  readonly router: RouterConfig["type"];
  constructor(router: RouterConfig["type"], message: string, options?: { cause?: unknown }) {
    super(`router ${router}: ${message}`, options);
    this.router = router;
  }
}
