import { ExternalError, type Logger, type TargetConfig } from "@llmops/core";
import type { Store } from "@llmops/store";
import type { GitHubSeams } from "./github-seams.ts";

/** The version a target deploys: identity plus a way to get its files. */
export interface TargetVersion {
  name: string;
  digest: string;
  /** `v3` when it has a version tag. */
  version?: string;
}

export interface TargetContext {
  store: Store;
  environment: string;
  /**
   * Unique per promotion attempt (a fresh UUID each run, never reused by a re-run): the
   * idempotency key of webhooks (shared by one delivery's retries), named in gitops commits and PRs.
   */
  promotionId: string;
  /** Directory of llmops.yaml: relative paths in target configs resolve from here. */
  configDir: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  github: GitHubSeams;
  signal?: AbortSignal;
}

/** What a target did, recorded in the promotion record and shown in `status`. */
export interface TargetResult {
  type: TargetConfig["type"];
  /** One line for people: "model-repository /srv/models/sentiment/7", "PR acme/deploy#12". */
  summary: string;
  /** Machine-readable details (version directory, commit sha, PR URL, HTTP status). */
  details: Record<string, unknown>;
  /**
   * The change is proposed, not in service: a gitops pull request waits to be merged. The
   * promotion then stops (`proposed`): later targets do not run, the alias does not move, no smoke
   * eval, nothing is rolled back; running it again once merged finishes it (apply then finds the
   * change in place and is not pending).
   */
  pending?: boolean;
}

/**
 * A serving target. `apply` puts `version` in service; `rollback` puts `previous` back (or, when
 * there was none, undoes `apply`). Both must be safe to repeat: a crashed runner re-runs them.
 */
export interface Target {
  readonly type: TargetConfig["type"];
  apply(version: TargetVersion, context: TargetContext): Promise<TargetResult>;
  rollback(previous: TargetVersion | null, applied: TargetResult, context: TargetContext): Promise<TargetResult>;
}

/**
 * A target that failed; `cause` is the underlying error, the message names the target. An external
 * system failing (exit 3) unless its cause is an input or config problem (failureExitCode).
 */
export class TargetError extends ExternalError {
  readonly target: TargetConfig["type"];
  constructor(target: TargetConfig["type"], message: string, options?: { cause?: unknown }) {
    super(`target ${target}: ${message}`, options);
    this.target = target;
  }
}
