import { ExitCode, type ExitCode as ExitCodeType, LlmopsError } from "@llmops/core";
import { TargetError } from "./target.ts";

/**
 * The alias moved while a promotion ran (another promotion or a `tag` won the compare-and-swap).
 * Exit 1, like an unmet requirement: nothing malfunctioned and nothing changed (targets were
 * rolled back), the promotion's precondition simply no longer holds; re-run it to promote on top
 * of the new state. Exit 3 would send people looking for a broken system that is not broken.
 */
export class PromotionConflictError extends LlmopsError {
  readonly environment: string;
  readonly expected: string | null;
  readonly found: string | null;
  constructor(environment: string, expected: string | null, found: string | null) {
    super(
      `${environment} moved from ${expected ?? "nothing"} to ${found ?? "nothing"} while this promotion ran; nothing changed`,
      ExitCode.GateFailed,
    );
    this.environment = environment;
    this.expected = expected;
    this.found = found;
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
