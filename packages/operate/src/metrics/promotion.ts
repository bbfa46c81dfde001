import { families } from "./catalog.ts";
import type { MetricSample } from "./metric-set.ts";

/**
 * What `llmops status --json` says, as samples. The input is the part of promote's
 * `statusResultSchema` the metrics need, typed structurally: operate sits below promote and may
 * not import it, so the CLI parses the status with promote's schema and passes the result here
 * (a StatusResult is assignable to PromotionStatusInput).
 */
export interface PromotionStatusInput {
  readonly environments: readonly {
    readonly environment: string;
    readonly name?: string | undefined;
    readonly alias: string;
    /** Null when nothing was promoted there yet: no series then. */
    readonly digest: string | null;
    readonly version?: string | undefined;
    /** ISO time the alias was moved to `digest`. */
    readonly since?: string | undefined;
    readonly rollout?:
      | {
          readonly state: {
            readonly decision: string;
            readonly step: number;
            readonly steps: readonly number[];
            readonly percent: number;
            readonly stable: string;
            readonly candidate: string;
          };
          /** The candidate's version tag, when known. */
          readonly version?: string | undefined;
        }
      | undefined;
    /** Set when this environment could not be read; it gives no series. */
    readonly error?: string | undefined;
  }[];
}

/**
 * Per environment that serves a version: `llmops_promotion_info{environment,name,alias,digest,version} 1`
 * and when the alias moved there; per environment with a canary rollout (running or ended): the
 * rollout's info (candidate, stable, last decision) and its percent, step and number of steps, as
 * the newest rollout record left them. Environments that could not be read give nothing: the
 * caller says so (the CLI warns).
 */
export function promotionSamples(status: PromotionStatusInput): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const env of status.environments) {
    if (env.error !== undefined) continue;
    if (env.digest !== null) {
      const where = { environment: env.environment, name: env.name, alias: env.alias };
      samples.push({ family: families.promotion, labels: { ...where, digest: env.digest, version: env.version }, value: 1 });
      const since = env.since === undefined ? Number.NaN : Date.parse(env.since);
      if (Number.isFinite(since)) samples.push({ family: families.promotionSince, labels: where, value: since / 1000 });
    }
    if (env.rollout) {
      const { state, version } = env.rollout;
      const rollout = { environment: env.environment, name: env.name, candidate: state.candidate };
      samples.push({
        family: families.rollout,
        labels: { ...rollout, stable: state.stable, version, decision: state.decision },
        value: 1,
      });
      samples.push({ family: families.rolloutPercent, labels: rollout, value: state.percent });
      samples.push({ family: families.rolloutStep, labels: rollout, value: state.step });
      samples.push({ family: families.rolloutSteps, labels: rollout, value: state.steps.length });
    }
  }
  return samples;
}
