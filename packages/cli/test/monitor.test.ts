// `llmops monitor` in-process (main with the command given to it), on the monitored deployment of
// @llmops/operate's end-to-end tests: a real layout store, a real HTTP endpoint, and with
// GITHUB_TOKEN and GITHUB_REPOSITORY set, the GitHub REST test server for the alert issue.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type GitHubServer, startGitHubServer } from "../../../test/src/github-server.ts";
import { type MonitoredDeployment, monitoredDeployment, reviews } from "../../operate/test/monitor/workspace.ts";
import { monitorCommand } from "../src/commands/monitor.ts";
import { runMain } from "./helpers.ts";

let d: MonitoredDeployment;
let github: GitHubServer;

beforeEach(async () => {
  d = await monitoredDeployment();
  github = await startGitHubServer();
});

afterEach(async () => {
  await github.close();
  await d.close();
});

const cli = (argv: string[], env: NodeJS.ProcessEnv = {}) =>
  runMain(["monitor", ...argv], { commands: [monitorCommand], cwd: d.workspace, env });

describe("llmops monitor", () => {
  it("prints one JSON document and exits 0 when nothing alerts", async () => {
    await d.promote();
    await d.writeSample(reviews(300, 23));
    const { code, stdout } = await cli(["production", "--json"]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { schemaVersion: number; alerting: boolean; environments: { environment: string }[] };
    expect(result).toMatchObject({ schemaVersion: 1, alerting: false, environments: [{ environment: "production" }] });
  });

  it("exits 1 on drift, and opens the alert issue when GITHUB_TOKEN and GITHUB_REPOSITORY are set", async () => {
    await d.promote();
    await d.writeSample(reviews(300, 29, true));
    const env = {
      GITHUB_TOKEN: "ghs_cliToken",
      GITHUB_REPOSITORY: "octo-org/octo-repo",
      GITHUB_API_URL: github.url,
      LLMOPS_GITHUB_PACE: "false",
    };
    const { code, stdout, stderr } = await cli(["production"], env);
    expect(code).toBe(1);
    expect(stdout).toContain("  sentiment: alerting\n");
    expect(stdout).toMatch(/issue: opened https:\/\/github\.com\/octo-org\/octo-repo\/issues\/\d+/);
    expect(stderr).not.toContain("ghs_cliToken");
    expect(github.state.issues).toHaveLength(1);

    const quiet = await cli(["production", "--no-github", "--json"], env);
    expect(quiet.code).toBe(1);
    expect(github.state.issues).toHaveLength(1);
  });

  it("takes --sample, and exits 2 with one line on bad input", async () => {
    await d.promote();
    await d.writeSample(reviews(300, 23));
    const drifted = join(d.workspace, "drifted.jsonl");
    await writeFile(
      drifted,
      reviews(300, 29, true)
        .map((r) => JSON.stringify(r))
        .join("\n"),
    );
    expect((await cli(["production", "--sample", "drifted.jsonl", "--json"])).code).toBe(1);

    const missing = await cli(["production", "--sample", "gone.jsonl"]);
    expect(missing.code).toBe(2);
    // One line for the error (after the progress lines on stderr).
    expect(missing.stderr.trim().split("\n").at(-1)).toBe(
      "llmops monitor: sample gone.jsonl: is neither a file nor a dataset ref (name:alias, name:vN, name@sha256:…)",
    );
    const unknown = await cli(["qa"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.split("\n")[0]).toBe('llmops monitor: unknown environment "qa"; llmops.yaml has production, staging');
    expect((await cli(["production", "staging"])).code).toBe(2);
  });
});
