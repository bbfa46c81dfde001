import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { comparisonSchema, silentLogger } from "@llmops/core";
import { type GitHubServer, startGitHubServer } from "@llmops/test/github-server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createOctokit, type GitHubClient } from "../src/octokit.ts";
import { postReportFromRun, REPORT_ARTIFACT, type TriggeringRun } from "../src/post-report.ts";

const owner = "octo-org";
const repo = "octo-repo";
const headSha = "f".repeat(40);
let server: GitHubServer;
let octokit: GitHubClient;

function comparison(verdict: "pass" | "fail", gatePassed: boolean) {
  return comparisonSchema.parse({
    schemaVersion: 1,
    suite: "qa",
    baseline: { source: "branch", description: "main at 1234567" },
    matched: 2,
    added: [],
    removed: [],
    changed: [],
    metrics: [],
    flips: [{ id: "c1", direction: "pass-to-fail", input: "<script>x</script> @admin", baselineOutput: "a", headOutput: "b" }],
    gates: [{ description: "exact: no significant regression", metric: "exact", actual: -0.5, threshold: 0, passed: gatePassed }],
    verdict,
  });
}

function seedArtifact(files: Record<string, string>, runId = 900) {
  server.state.artifacts.push({ name: REPORT_ARTIFACT, workflow_run: { id: runId }, files });
}

/** A run of a pull request from a fork: its code, and so its artifact, are the fork's. */
const run: TriggeringRun = {
  id: 900,
  event: "pull_request",
  headSha,
  headBranch: "feature",
  headOwner: "forker",
  headRepo: "forker/octo-repo",
  htmlUrl: "https://github.com/octo-org/octo-repo/actions/runs/900",
};
/** A run of a pull request from a branch of this repository. */
const sameRepoRun: TriggeringRun = { ...run, headOwner: "octo-org", headRepo: "octo-org/octo-repo" };

beforeEach(async () => {
  server = await startGitHubServer({ owner, repo });
  server.state.pulls.push(
    { number: 12, head: { ref: "feature", sha: headSha, label: "forker:feature" }, base: { ref: "main" } },
    { number: 13, head: { ref: "feature", sha: headSha, label: "octo-org:feature" }, base: { ref: "main" } },
  );
  octokit = createOctokit({ token: "t", baseUrl: server.url, logger: silentLogger, retries: 0, pace: false });
});
afterEach(async () => {
  await server.close();
});

describe("postReportFromRun", () => {
  it("finds the pull request from the event, re-renders the validated comparison and posts it", async () => {
    // The artifact claims "pass" and carries its own Markdown; neither is trusted.
    seedArtifact({
      "report.json": JSON.stringify({ schemaVersion: 1, verdict: "pass", pullRequest: 1, suites: [{ suite: "qa", directory: "qa" }] }),
      "qa/comparison.json": JSON.stringify(comparison("pass", false)),
      "qa/comment.md": "<!-- llmops:compare suite=qa -->\nall good, trust me",
    });
    const result = await postReportFromRun({
      octokit,
      owner,
      repo,
      run: sameRepoRun,
      comment: "sticky",
      checkRun: true,
      logger: silentLogger,
    });
    expect(result).toMatchObject({ verdict: "fail", pullRequest: 13 });
    const body = server.state.comments[0]?.body ?? "";
    expect(server.state.comments[0]?.issue_number).toBe(13);
    expect(body).not.toContain("trust me");
    expect(body).toContain("🔻 pass → fail");
    expect(body).toContain("**Verdict: fail**");
    expect(server.state.checkRuns[0]).toMatchObject({ head_sha: headSha, conclusion: "failure" });
    const pullsQuery = server.calls.find((c) => c.path.endsWith("/pulls"))?.query;
    expect(pullsQuery).toMatchObject({ head: "octo-org:feature", state: "open" });
  });

  it("concludes neutral for a fork's report and says where the numbers came from", async () => {
    // The fork's artifact claims its own gates passed.
    seedArtifact({
      "report.json": JSON.stringify({ schemaVersion: 1, suites: [{ suite: "qa", directory: "qa" }] }),
      "qa/comparison.json": JSON.stringify(comparison("pass", true)),
    });
    const result = await postReportFromRun({ octokit, owner, repo, run, comment: "sticky", checkRun: true, logger: silentLogger });
    expect(result).toMatchObject({ verdict: "none", pullRequest: 12 });
    expect(server.state.checkRuns[0]).toMatchObject({ conclusion: "neutral", status: "completed" });
    expect((server.state.checkRuns[0]?.output as { title?: string } | undefined)?.title).toBe("qa: reported by a fork's run, not gating");
    const body = server.state.comments[0]?.body ?? "";
    expect(body).toContain("> [!CAUTION]");
    expect(body).toContain("come from the run of a pull request from a fork (forker/octo-repo)");
    expect(body).toContain("this check is neutral and gates nothing");
    // A deleted fork (no head repository) is a fork too.
    const { headRepo: _gone, ...deleted } = run;
    const again = await postReportFromRun({ octokit, owner, repo, run: deleted, comment: "off", checkRun: true, logger: silentLogger });
    expect(again.verdict).toBe("none");
    expect(server.state.checkRuns[1]).toMatchObject({ conclusion: "neutral" });
  });

  describe("with this repository's llmops.yaml from a trusted checkout", () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), "llmops-post-report-"));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    const config = (gates: string, compare: string) =>
      `suites:\n  - name: qa\n    provider: { type: replay, file: r.jsonl }\n    prompt: "{{q}}"\n    cases: [{ id: a, vars: { q: x } }]\n    slices: [language]\n    gates: ${gates}\n${compare}`;

    /** The fork's comparison: exact fell from 0.9 to 0.5, but the fork's only gate says all is well. */
    function forkComparison() {
      return comparisonSchema.parse({
        ...comparison("pass", true),
        metrics: [
          {
            name: "exact",
            kind: "rate",
            higherIsBetter: true,
            n: 10,
            baseline: 0.9,
            head: 0.5,
            delta: -0.4,
            relativeDelta: -0.444,
            ci: { low: -0.6, high: -0.2, level: 0.95, method: "bootstrap" },
            test: "mcnemar-exact",
            pValue: 0.03,
            pAdjusted: 0.03,
            verdict: "significant regression",
          },
        ],
        gates: [{ description: "exact >= 0.1", metric: "exact", actual: 0.5, threshold: 0.1, passed: true }],
      });
    }

    it("judges the fork's numbers by this repository's gates, and the check follows them", async () => {
      await writeFile(
        join(dir, "llmops.yaml"),
        config("[{ metric: exact, min: 0.8 }]", "compare:\n  gates: { exact: { maxDrop: 0.02 } }\n"),
      );
      seedArtifact({
        "report.json": JSON.stringify({ schemaVersion: 1, suites: [{ suite: "qa", directory: "qa" }] }),
        "qa/comparison.json": JSON.stringify(forkComparison()),
      });
      const result = await postReportFromRun({
        octokit,
        owner,
        repo,
        run,
        comment: "sticky",
        checkRun: true,
        config: "llmops.yaml",
        cwd: dir,
        logger: silentLogger,
      });
      expect(result.verdict).toBe("fail");
      expect(server.state.checkRuns[0]).toMatchObject({ conclusion: "failure" });
      const body = server.state.comments[0]?.body ?? "";
      expect(body).toContain("the gates applied are this repository's llmops.yaml on the default branch");
      expect(body).toContain("exact &gt;= 0.8");
      expect(body).toContain("exact drop &lt;= 0.02 vs baseline");
      expect(body).not.toContain("exact &gt;= 0.1");
    });

    it("stays neutral when a gate cannot be checked from the report", async () => {
      await writeFile(join(dir, "llmops.yaml"), config("[{ metric: exact, min: 0.1, eachSlice: language }]", ""));
      seedArtifact({
        "report.json": JSON.stringify({ schemaVersion: 1, suites: [{ suite: "qa", directory: "qa" }] }),
        "qa/comparison.json": JSON.stringify(forkComparison()),
      });
      const result = await postReportFromRun({
        octokit,
        owner,
        repo,
        run,
        comment: "sticky",
        checkRun: true,
        config: "llmops.yaml",
        cwd: dir,
        logger: silentLogger,
      });
      expect(result.verdict).toBe("none");
      expect(server.state.checkRuns[0]).toMatchObject({ conclusion: "neutral" });
      expect(server.state.comments[0]?.body).toContain("exact per slice (the report has overall values only)");
    });

    /** A head-only report: the fork says no baseline was found, so it has no metrics and no regression gates. */
    function headOnlyComparison() {
      return comparisonSchema.parse({
        ...comparison("pass", true),
        baseline: { source: "none", description: "no baseline found" },
        matched: 0,
        flips: [],
        metrics: [],
        gates: [],
      });
    }

    it("does not pass a fork's report past this repository's compare gates because it claims no baseline", async () => {
      await writeFile(
        join(dir, "llmops.yaml"),
        config("[]", "compare:\n  gates: { exact: { maxDrop: 0.02 } }\n  maxCostIncrease: 0.1\n  maxLatencyIncrease: 0.25\n"),
      );
      seedArtifact({
        "report.json": JSON.stringify({ schemaVersion: 1, suites: [{ suite: "qa", directory: "qa" }] }),
        "qa/comparison.json": JSON.stringify(headOnlyComparison()),
      });
      const result = await postReportFromRun({
        octokit,
        owner,
        repo,
        run,
        comment: "sticky",
        checkRun: true,
        config: "llmops.yaml",
        cwd: dir,
        logger: silentLogger,
      });
      expect(result.verdict).toBe("none");
      expect(server.state.checkRuns[0]).toMatchObject({ conclusion: "neutral" });
      const body = server.state.comments[0]?.body ?? "";
      expect(body).toContain("this repository's gates could not all be checked from its report");
      expect(body).toContain("compare gate exact (a head-only report has no baseline to compare with)");
      expect(body).toContain("compare.maxCostIncrease (a head-only report has no baseline to compare with)");
      expect(body).toContain("compare.maxLatencyIncrease (a head-only report has no baseline to compare with)");
    });

    it("fails a fork's head-only report when this repository's noBaseline policy is fail", async () => {
      await writeFile(
        join(dir, "llmops.yaml"),
        config("[{ metric: exact, min: 0.8 }]", "compare:\n  noBaseline: fail\n  gates: { exact: { maxDrop: 0.02 } }\n"),
      );
      seedArtifact({
        "report.json": JSON.stringify({ schemaVersion: 1, suites: [{ suite: "qa", directory: "qa" }] }),
        "qa/comparison.json": JSON.stringify(headOnlyComparison()),
      });
      const result = await postReportFromRun({
        octokit,
        owner,
        repo,
        run,
        comment: "sticky",
        checkRun: true,
        config: "llmops.yaml",
        cwd: dir,
        logger: silentLogger,
      });
      expect(result.verdict).toBe("fail");
      expect(server.state.checkRuns[0]).toMatchObject({ conclusion: "failure" });
      const body = server.state.comments[0]?.body ?? "";
      expect(body).toContain("a baseline to compare with (compare.noBaseline: fail)");
      // What could not be checked is still said.
      expect(body).toContain("compare gate exact (a head-only report has no baseline to compare with)");
    });

    it("judges a same-repository run by the default branch's gates too, not the gates its run chose", async () => {
      // The pull request loosened its own gate (exact >= 0.1) and dropped the regression gate.
      await writeFile(
        join(dir, "llmops.yaml"),
        config("[{ metric: exact, min: 0.8 }]", "compare:\n  gates: { exact: { maxDrop: 0.02 } }\n"),
      );
      seedArtifact({
        "report.json": JSON.stringify({ schemaVersion: 1, suites: [{ suite: "qa", directory: "qa" }] }),
        "qa/comparison.json": JSON.stringify(forkComparison()),
      });
      const result = await postReportFromRun({
        octokit,
        owner,
        repo,
        run: sameRepoRun,
        comment: "sticky",
        checkRun: true,
        config: "llmops.yaml",
        cwd: dir,
        logger: silentLogger,
      });
      expect(result).toMatchObject({ verdict: "fail", pullRequest: 13 });
      expect(server.state.checkRuns[0]).toMatchObject({ conclusion: "failure" });
      const body = server.state.comments[0]?.body ?? "";
      expect(body).toContain("the gates applied are this repository's llmops.yaml on the default branch, not the pull request's");
      expect(body).toContain("exact &gt;= 0.8");
      expect(body).not.toContain("exact &gt;= 0.1");
    });

    it("leaves a same-repository run neutral, not judged by its own gates, when the default branch's gates cannot be checked", async () => {
      await writeFile(join(dir, "llmops.yaml"), config("[{ metric: exact, min: 0.1, eachSlice: language }]", ""));
      seedArtifact({
        "report.json": JSON.stringify({ schemaVersion: 1, suites: [{ suite: "qa", directory: "qa" }] }),
        "qa/comparison.json": JSON.stringify(comparison("fail", false)),
      });
      const result = await postReportFromRun({
        octokit,
        owner,
        repo,
        run: sameRepoRun,
        comment: "sticky",
        checkRun: true,
        config: "llmops.yaml",
        cwd: dir,
        logger: silentLogger,
      });
      expect(result.verdict).toBe("none");
      expect(server.state.checkRuns[0]).toMatchObject({ conclusion: "neutral" });
      expect(server.state.comments[0]?.body).toContain("exact per slice (the report has overall values only)");
      expect(result.notices.join("\n")).toContain('"qa" could not be judged by this repository\'s gates');
    });

    it("does not fall back to a same-repository run's own gates when the given config is missing", async () => {
      seedArtifact({
        "report.json": JSON.stringify({ schemaVersion: 1, suites: [{ suite: "qa", directory: "qa" }] }),
        "qa/comparison.json": JSON.stringify(comparison("pass", true)),
      });
      const result = await postReportFromRun({
        octokit,
        owner,
        repo,
        run: sameRepoRun,
        comment: "sticky",
        checkRun: true,
        config: "missing.yaml",
        cwd: dir,
        logger: silentLogger,
      });
      expect(result.verdict).toBe("none");
      expect(server.state.checkRuns[0]).toMatchObject({ conclusion: "neutral" });
      expect(server.state.comments[0]?.body).toContain("llmops.yaml (missing.yaml) was not found to judge it by");
    });
  });

  it("posts nothing when no open pull request has the run's head", async () => {
    seedArtifact({
      "report.json": JSON.stringify({ schemaVersion: 1, suites: [{ suite: "qa", directory: "qa" }] }),
      "qa/comparison.json": JSON.stringify(comparison("pass", true)),
    });
    const result = await postReportFromRun({
      octokit,
      owner,
      repo,
      run: { ...run, headSha: "0".repeat(40) },
      comment: "sticky",
      checkRun: true,
      logger: silentLogger,
    });
    expect(result.verdict).toBe("none");
    expect(result.notices[0]).toContain("no open pull request");
    expect(server.state.comments).toHaveLength(0);
  });

  it("says so when the run uploaded no report, and refuses a malformed one", async () => {
    const missing = await postReportFromRun({ octokit, owner, repo, run, comment: "sticky", checkRun: false, logger: silentLogger });
    expect(missing.notices[0]).toContain(`no artifact named ${REPORT_ARTIFACT}`);
    seedArtifact({ "report.json": JSON.stringify({ schemaVersion: 1, suites: [{ suite: "qa", directory: "../etc" }] }) });
    await expect(
      postReportFromRun({ octokit, owner, repo, run, comment: "sticky", checkRun: false, logger: silentLogger }),
    ).rejects.toThrow(/not a compare report/);
  });

  it("reads report.json with the schema its writer uses, and refuses more suites than it would post", async () => {
    const suites = Array.from({ length: 101 }, (_, i) => ({ suite: `s${i}`, directory: `s${i}` }));
    seedArtifact({ "report.json": JSON.stringify({ schemaVersion: 1, suites }) });
    await expect(
      postReportFromRun({ octokit, owner, repo, run, comment: "sticky", checkRun: false, logger: silentLogger }),
    ).rejects.toThrow(`artifact ${REPORT_ARTIFACT}: report.json is missing or not a compare report`);
    server.state.artifacts.length = 0;
    seedArtifact({ "report.json": "{ not json" });
    await expect(
      postReportFromRun({ octokit, owner, repo, run, comment: "sticky", checkRun: false, logger: silentLogger }),
    ).rejects.toThrow(/not a compare report/);
    expect(server.state.comments).toHaveLength(0);
  });

  it("ignores runs that were not pull requests", async () => {
    const result = await postReportFromRun({
      octokit,
      owner,
      repo,
      run: { ...run, event: "push" },
      comment: "sticky",
      checkRun: true,
      logger: silentLogger,
    });
    expect(result.verdict).toBe("none");
    expect(server.calls).toHaveLength(0);
  });
});
