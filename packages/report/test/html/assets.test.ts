import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { SCRIPT, STYLE, UPLOT_VERSION } from "../../src/html/assets.generated.ts";

const root = fileURLToPath(new URL("../../../../", import.meta.url));

describe("the HTML report's generated assets", () => {
  it("are what scripts/generate-report-assets.ts makes now: the client type-checks and the file is current", async () => {
    // Node's own type stripping runs the generator, as `node scripts/generate-report-assets.ts` does.
    const run = await promisify(execFile)(process.execPath, ["scripts/generate-report-assets.ts", "--check"], { cwd: root }).catch(
      (error: { stderr?: string; code?: number }) => ({ stderr: error.stderr ?? String(error), code: error.code }),
    );
    expect(run.stderr).toMatch(/is up to date/);
  }, 120_000);

  it("bundle the uPlot that packages/report depends on, with its licence, and nothing that would end their elements", () => {
    expect(UPLOT_VERSION).toBe("1.6.32");
    expect(SCRIPT).toContain(`/*! uPlot ${UPLOT_VERSION}`);
    expect(SCRIPT).toContain("Permission is hereby granted, free of charge");
    expect(`${SCRIPT}\n${STYLE}`).not.toMatch(/<\/script|<\/style|<!--/i);
    expect(STYLE).toContain(".uplot");
  });
});
