// promtool (Debian's `prometheus` package) as the independent judge of what the writer emits.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireProgram } from "@llmops/test/prerequisites";

export interface PromtoolVerdict {
  code: number | null;
  /** stdout and stderr: the parse error or the lint problems. */
  output: string;
}

/**
 * `promtool check metrics` on `text` (stdin): Prometheus' own parser of the text format 0.0.4 and
 * its linter (naming, HELP, counter suffixes). Exit 0 and no output: accepted without a remark.
 */
export function promtoolCheckMetrics(text: string): PromtoolVerdict {
  const result = spawnSync(requireProgram("promtool"), ["check", "metrics"], { input: text, encoding: "utf8", timeout: 30_000 });
  return { code: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

/**
 * Prometheus' OpenMetrics parser on `text`, through `promtool tsdb create-blocks-from openmetrics`
 * (backfilling, which reads OpenMetrics only). Backfilling needs a timestamp on every sample, so
 * ` 1` is appended to each sample line; the rest (metadata, escaping, `# EOF`, units) is parsed as
 * written.
 */
export function promtoolParseOpenMetrics(text: string): PromtoolVerdict {
  const dir = mkdtempSync(join(tmpdir(), "llmops-promtool-"));
  try {
    const stamped = text
      .split("\n")
      .map((line) => (line === "" || line.startsWith("#") ? line : `${line} 1`))
      .join("\n");
    writeFileSync(join(dir, "input.om"), stamped);
    const result = spawnSync(
      requireProgram("promtool"),
      ["tsdb", "create-blocks-from", "openmetrics", join(dir, "input.om"), join(dir, "blocks")],
      { encoding: "utf8", timeout: 60_000 },
    );
    return { code: result.status, output: `${result.stdout}${result.stderr}`.trim() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
