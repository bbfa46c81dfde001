import { type CaseResult, EVAL_ARTIFACT_TYPE, type EvidenceStore, InputError, type ResolvedVersion, type RunSummary } from "@llmops/core";
import { RESULTS_FILE, SUMMARY_FILE, SUMMARY_FILE_MAX_BYTES, toJsonl } from "./results/write.ts";

/**
 * Records a run as evidence on the model version it evaluated (an OCI referrer), so promotion
 * can later prove what was evaluated, on which data, with which verdict.
 */
export async function recordEvalEvidence(
  store: EvidenceStore,
  subject: ResolvedVersion,
  summary: RunSummary,
  rows: CaseResult[],
): Promise<{ digest: string }> {
  const encoder = new TextEncoder();
  const summaryBytes = encoder.encode(`${JSON.stringify(summary, null, 2)}\n`);
  // Readers refuse a larger one: recorded, it would be evidence nobody can read (a failed run
  // that promotion would pass over for an older one).
  if (summaryBytes.length > SUMMARY_FILE_MAX_BYTES)
    throw new InputError(
      `${summary.suite}: summary.json is ${summaryBytes.length} bytes, over the ${SUMMARY_FILE_MAX_BYTES} evidence readers accept; not recorded (fewer slices make it smaller)`,
    );
  return store.attachEvidence(subject, {
    artifactType: EVAL_ARTIFACT_TYPE,
    files: [
      { title: SUMMARY_FILE, mediaType: "application/json", data: summaryBytes },
      { title: RESULTS_FILE, mediaType: "application/jsonl", data: encoder.encode(toJsonl(rows)) },
    ],
    annotations: {
      "org.opencontainers.image.created": summary.finishedAt,
      "dev.llmops.suite": summary.suite,
      "dev.llmops.passed": summary.passed ? "true" : "false",
    },
  });
}
