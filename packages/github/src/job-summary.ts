import { statSync } from "node:fs";
import * as core from "@actions/core";
import { capJobSummary, JOB_SUMMARY_LIMIT } from "@llmops/report";

// The version and fetch actions render their summaries here without depending on the report package themselves.
export { renderFetchSummary, renderVersionSummary } from "@llmops/report";

/** What a step's earlier summary writes already took, so the total stays under the limit. */
function alreadyWritten(env: NodeJS.ProcessEnv): number {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return 0;
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/**
 * Appends Markdown to the step's job summary, cut to fit GitHub's 1 MiB per step (counted in
 * bytes by the runner, which drops a larger summary whole). Every action writes its summary
 * through here.
 */
export async function writeJobSummary(markdown: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  // @actions/core appends an end of line after the text.
  const room = JOB_SUMMARY_LIMIT - alreadyWritten(env) - 2;
  if (room <= 0) return;
  await core.summary.addRaw(capJobSummary(markdown, room), true).write();
}
