// The two-stage (fork-safe) flow as users meet it: the notice actions/compare gives a fork's run,
// the example workflows it points at, and the README's threat model.
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readLocatedYaml, silentLogger } from "@llmops/core";
import { startGitHubServer } from "@llmops/test/github-server";
import { describe, expect, it } from "vitest";
import { configYaml, writeRun } from "../../../actions/compare/test/results-fixture.ts";
import { createOctokit } from "../src/octokit.ts";
import { runPullRequestCompare } from "../src/pr-compare.ts";

const root = join(import.meta.dirname, "..", "..", "..");
const example = join(root, "examples", "pr-compare");
const workflows = join(example, ".github", "workflows");

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  name: string;
  on: Record<string, { workflows?: string[] } | null>;
  jobs: Record<string, { if?: string; steps: Step[] }>;
}
const workflow = async (file: string) => (await readLocatedYaml(join(workflows, file))).value as Workflow;

describe("the notice a fork's run of actions/compare gives", () => {
  it("points at example workflows that exist", async () => {
    const dir = await mkdtemp(join(tmpdir(), "llmops-fork-notice-"));
    const server = await startGitHubServer();
    try {
      await writeRun(join(dir, "head"), "qa", [true, true, false]);
      await writeFile(join(dir, "llmops.yaml"), configYaml("qa", 3));
      const result = await runPullRequestCompare({
        results: "head",
        baseline: "none",
        config: "llmops.yaml",
        reportDir: "out",
        comment: "sticky",
        checkRun: true,
        cwd: dir,
        logger: silentLogger,
        github: {
          octokit: createOctokit({ token: "t", baseUrl: server.url, logger: silentLogger, retries: 0, pace: false }),
          owner: "octo-org",
          repo: "octo-repo",
          sha: "e".repeat(40),
          pullRequest: { number: 5, baseRef: "main", fromFork: true },
        },
      });
      const notice = result.notices.find((n) => n.includes("comes from a fork")) ?? "";
      const paths = notice.match(/examples\/[\w./-]*[\w-]/g) ?? [];
      expect(paths.length, notice).toBeGreaterThan(0);
      for (const p of paths) expect(existsSync(join(root, p)), `${p} (named in: ${notice})`).toBe(true);
      expect(notice).toContain("actions/report");
      expect(server.calls).toHaveLength(0);
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("examples/pr-compare", () => {
  it("runs the same-repository and the fork workflow on complementary pull requests, so no pull request gets two check runs of one name", async () => {
    const same = await workflow("pr-compare.yml");
    const fork = await workflow("fork-pr-compare.yml");
    const condition = (w: Workflow) => Object.values(w.jobs).map((job) => job.if?.replace(/\s+/g, " ").trim());
    expect(condition(same)).toEqual(["github.event.pull_request.head.repo.full_name == github.repository"]);
    expect(condition(fork)).toEqual(["github.event.pull_request.head.repo.full_name != github.repository"]);
  });

  it("posts with the default branch's gates: config from a checkout of the default branch, never of the pull request", async () => {
    const post = await workflow("fork-pr-post.yml");
    const fork = await workflow("fork-pr-compare.yml");
    expect(post.on.workflow_run?.workflows).toEqual([fork.name]);
    const steps = Object.values(post.jobs).flatMap((job) => job.steps);
    const report = steps.findIndex((s) => s.uses?.includes("/actions/report@"));
    const checkout = steps.findIndex((s) => s.uses?.startsWith("actions/checkout@"));
    expect(report).toBeGreaterThan(-1);
    expect(checkout, "a checkout before the report step").toBeGreaterThan(-1);
    expect(checkout).toBeLessThan(report);
    const checkoutWith = steps[checkout]?.with ?? {};
    expect(checkoutWith.ref).toBe(`$\{{ github.event.repository.default_branch }}`);
    expect(checkoutWith["persist-credentials"]).toBe(false);
    // Nothing of the pull request's: no head SHA, branch or repository of the triggering run.
    expect(JSON.stringify(steps)).not.toMatch(/workflow_run\.head|pull_request/);
    const config = steps[report]?.with?.config;
    expect(typeof config).toBe("string");
    const checkoutPath = typeof checkoutWith.path === "string" ? `${checkoutWith.path}/` : "";
    expect(config).toBe(`${checkoutPath}llmops.yaml`);
    // The config input is real.
    const action = (await readLocatedYaml(join(root, "actions", "report", "action.yml"))).value as { inputs: Record<string, unknown> };
    expect(Object.keys(action.inputs)).toContain("config");
  });

  it("explains every workflow it ships", () => {
    const readme = readFileSync(join(example, "README.md"), "utf8");
    for (const file of ["baseline.yml", "pr-compare.yml", "fork-pr-compare.yml", "fork-pr-post.yml"]) {
      expect(existsSync(join(workflows, file)), file).toBe(true);
      expect(readme).toContain(`\`${file}\``);
    }
    expect(readme).toContain("config:");
  });
});

describe("the README's threat model", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = /\n## Threat model\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? "";

  it("says that a fork's neutral check satisfies a required status check, and how to gate forks", () => {
    expect(section).not.toBe("");
    const flat = section.replace(/\s+/g, " ");
    expect(flat).toMatch(/neutral/);
    expect(flat).toMatch(/required (status )?check/);
    expect(flat).toMatch(/`neutral` [^.]*satisf/);
    expect(flat).toContain("`config:`");
    expect(flat).toContain("default branch");
  });
});
