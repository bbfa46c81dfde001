import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JOB_SUMMARY_LIMIT } from "@llmops/report";
import { afterEach, beforeEach, expect, it } from "vitest";
import { writeJobSummary } from "../src/job-summary.ts";

let dir: string;
const saved = process.env.GITHUB_STEP_SUMMARY;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "llmops-summary-"));
});
afterEach(async () => {
  if (saved === undefined) delete process.env.GITHUB_STEP_SUMMARY;
  else process.env.GITHUB_STEP_SUMMARY = saved;
  await rm(dir, { recursive: true, force: true });
});

it("keeps the step's whole summary file under the runner's 1 MiB, counting bytes and what was written before", async () => {
  const file = join(dir, "step_summary");
  await writeFile(file, "x".repeat(300 * 1024));
  process.env.GITHUB_STEP_SUMMARY = file;
  // 400k characters of 3-byte text: 1.2 MB, though fewer characters than the limit.
  await writeJobSummary("日".repeat(400_000));
  const { size } = await stat(file);
  expect(size).toBeGreaterThan(JOB_SUMMARY_LIMIT - 1024);
  expect(size).toBeLessThanOrEqual(JOB_SUMMARY_LIMIT);
});
