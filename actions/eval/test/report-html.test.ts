// actions/eval's HTML report, end to end through the bundled action: with `upload-results`, the
// suites' report is written beside the results, uploaded (unzipped) to a stand-in artifact
// service next to the results artifact, and linked at the top of the job summary.
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { htmlReportArtifactName } from "@llmops/github/pr-compare";
import { runAction } from "@llmops/test/harness";
import { type OpenAIServer, startOpenAIServer } from "@llmops/test/openai-server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ArtifactService, startArtifactService } from "../../compare/test/artifact-service.ts";

const KEY = "sk-live-REPORTSECRET-1a2b3c4d5e";
let server: OpenAIServer;
let artifacts: ArtifactService;
let workspace: string;

beforeEach(async () => {
  server = await startOpenAIServer({
    apiKey: KEY,
    respond: (r) => (r.messages.at(-1)!.content === "q0" ? "wrong" : r.messages.at(-1)!.content),
  });
  artifacts = await startArtifactService();
  workspace = await mkdtemp(join(tmpdir(), "llmops-eval-html-"));
  await writeFile(
    join(workspace, "llmops.yaml"),
    [
      "suites:",
      "  - name: qa",
      "    provider: { type: openai, baseUrl: https://api.example.invalid/v1, model: gpt-test, apiKeyEnv: EVAL_API_KEY }",
      '    prompt: "{{q}}"',
      "    cases:",
      ...Array.from({ length: 6 }, (_, i) => `      - { id: q${i}, vars: { q: q${i} }, expected: q${i} }`),
      "    scorers: [{ type: equals, name: exact }]",
      "",
    ].join("\n"),
  );
});
afterEach(async () => {
  await server.close();
  await artifacts.close();
  await rm(workspace, { recursive: true, force: true });
});

const run = (inputs: Record<string, string>, env: Record<string, string> = {}) =>
  runAction("eval", { workspace, inputs: { "base-url": server.url, cache: "false", ...inputs }, env: { EVAL_API_KEY: KEY, ...env } });

describe("actions/eval's HTML report", () => {
  it("with upload-results is uploaded beside the results and linked at the top of the job summary", async () => {
    const result = await run({ "upload-results": "true" }, artifacts.env);
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    // The harness runs the action as step `__eval` of job `test`.
    const name = htmlReportArtifactName("eval", ["qa"], { GITHUB_JOB: "test", GITHUB_ACTION: "__eval" });
    expect(name).toMatch(/^llmops-report-eval-test-qa-[0-9a-f]{8}\.html$/);
    expect(artifacts.artifacts.map((a) => a.name).sort()).toEqual([name, "llmops-results-qa"]);
    const report = artifacts.artifacts.find((a) => a.name.endsWith(".html"));
    const html = await readFile(join(workspace, ".llmops", "results", "report.html"));
    expect(report?.data.equals(html)).toBe(true);
    expect(html.toString("utf8")).toContain('"q0"');
    const link = `[Interactive report](https://github.com/octo-org/octo-repo/actions/runs/`;
    expect(result.summary.trimStart().startsWith(`📊 ${link}`)).toBe(true);
    expect(result.summary).toMatch(new RegExp(`/artifacts/${report?.id}\\)`));
    expect(result.summary).toContain("## Eval `qa`");
    expect(html.toString("utf8")).not.toContain(KEY);
  });

  it("with html-report: false uploads the results only: no report is written, uploaded or linked", async () => {
    const result = await run({ "upload-results": "true", "html-report": "false" }, artifacts.env);
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(artifacts.artifacts.map((a) => a.name)).toEqual(["llmops-results-qa"]);
    expect(await readdir(join(workspace, ".llmops", "results"))).toEqual(["qa"]);
    expect(result.summary).not.toContain("Interactive report");
    expect(result.summary).toContain("## Eval `qa`");
  });

  it("without upload-results writes no report and links none", async () => {
    const result = await run({}, artifacts.env);
    expect(result.exitCode).toBe(0);
    expect(artifacts.artifacts).toEqual([]);
    expect(await readdir(join(workspace, ".llmops", "results"))).toEqual(["qa"]);
    expect(result.summary).not.toContain("Interactive report");
  });
});
