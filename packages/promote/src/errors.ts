import { ExitCode, type ExitCode as ExitCodeType, LlmopsError } from "@llmops/core";
import { TargetError } from "./target.ts";

/**
 * The alias moved while a promotion ran (another promotion or a `tag` won the compare-and-swap).
 * Exit 1, like an unmet requirement: nothing malfunctioned, the promotion's precondition simply
 * no longer holds; its targets are re-pointed at what the alias names now (`found`), so they serve
 * what it says, and re-running it promotes on top of the new state. Exit 3 would send people
 * looking for a broken system that is not broken.
 */
export class PromotionConflictError extends LlmopsError {
  readonly environment: string;
  readonly expected: string | null;
  readonly found: string | null;
  constructor(environment: string, expected: string | null, found: string | null) {
    super(`${environment} moved from ${expected ?? "nothing"} to ${found ?? "nothing"} while this promotion ran`, ExitCode.GateFailed);
    this.environment = environment;
    this.expected = expected;
    this.found = found;
  }
}

/**
 * The caller's signal aborted (SIGINT/SIGTERM, a cancelled job) while targets were applied or the
 * smoke eval ran: what was applied is undone as for a failure, and the result says `interrupted`
 * so the caller can exit 130/143. Exit 3 otherwise.
 */
export class PromotionInterruptedError extends LlmopsError {
  constructor(reason?: unknown) {
    const why = reason instanceof Error ? reason.message : typeof reason === "string" ? reason : "";
    // An AbortController's default reason says nothing more than "interrupted".
    const plain = !why || why.startsWith("This operation was aborted");
    super(plain ? "interrupted" : why.startsWith("interrupted") ? why : `interrupted (${why})`, ExitCode.External);
  }
}

/**
 * Exit code of a failure during a promotion: a target's failure is an external system failing
 * (3) unless its cause is an input or config problem (2); the project's own errors say theirs.
 */
export function failureExitCode(error: unknown): ExitCodeType {
  if (error instanceof TargetError) {
    const cause = error.cause;
    if (cause instanceof LlmopsError && cause.exitCode === ExitCode.Usage) return ExitCode.Usage;
    return ExitCode.External;
  }
  if (error instanceof LlmopsError) return error.exitCode;
  return ExitCode.External;
}

/** A canary rollout is in progress in the environment: a direct change there must wait (exit 1). */
export class RolloutInProgressError extends LlmopsError {
  constructor(message: string) {
    super(message, ExitCode.GateFailed);
  }
}
