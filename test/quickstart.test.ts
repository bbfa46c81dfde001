// The README's "Quickstart in a workflow", run as GitHub would run it: the YAML block is read out
// of README.md (never a copy), each of our steps runs through the runner harness with its `if:`
// and `with:` evaluated by GitHub's expression engine, every store input at its default. A local
// registry with Docker token auth stands in for ghcr.io (LLMOPS_TEST_GHCR_HOST), the job token is
// its password, a local OpenAI-compatible server answers the suite, and the strict GitHub REST test
// server takes the pull request's comment and check run. First a push to main (the model becomes
// `production` and its results are recorded as evidence), then a pull request with a changed model,
// whose compare step must find that evidence as its baseline.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { EVAL_ARTIFACT_TYPE } from "@llmops/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { openStore } from "../packages/store/src/index.ts";
import { type GitHubServer, startGitHubServer } from "./src/github-server.ts";
import { evaluateCondition, evaluateTemplate } from "./src/harness/conditions.ts";
import { contextVariables, deepMerge, type EventName, loadEventFixture, type Payload, retargetRepository } from "./src/harness/events.ts";
import { type ActionResult, leakedSecrets, runAction } from "./src/harness.ts";
import { type OpenAIServer, startOpenAIServer } from "./src/openai-server.ts";
import { startRegistry, type TestRegistry } from "./src/registry.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const REPOSITORY = "acme/quickstart";
const OPENAI_KEY = "sk-quickstart-secret-0123456789";
const N = 30;

type Step = {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
};
type Job = { env?: Record<string, unknown>; steps: Step[] };
type Workflow = { on: unknown; env?: Record<string, unknown>; jobs: Record<string, Job> };

function quickstart(): Workflow {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const block = /## Quickstart in a workflow\n\n```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error("README.md: no yaml block under ## Quickstart in a workflow");
  return parse(block) as Workflow;
}

/** Whether `on:` starts the workflow for this event on this branch (push: the pushed branch; pull_request: the base). */
function triggers(on: unknown, event: EventName, branch: string): boolean {
  if (typeof on === "string") return on === event;
  if (Array.isArray(on)) return on.includes(event);
  if (typeof on !== "object" || on === null || !(event in on)) return false;
  const filter = (on as Record<string, { branches?: string[] } | null>)[event];
  return !filter?.branches || filter.branches.some((b) => b === branch || b === "*" || b === "**");
}

// Cases the suite evaluates: every third review is negative.
const cases = Array.from({ length: N }, (_, i) => ({
  id: `r${i + 1}`,
  text: `review number ${i + 1}`,
  label: i % 3 === 0 ? "negative" : "positive",
}));

/**
 * The served model's answers, switched by the test together with the `model/` directory it commits
 * (the endpoint cannot see those files): production's calls every review positive; the pull
 * request's gets them all right.
 */
let serving: "v1" | "v2" = "v1";
function answer(prompt: string): string {
  const found = cases.find((c) => c.text === prompt.trim());
  if (!found) return "unknown";
  return serving === "v1" ? "positive" : found.label;
}

type StepRecord = { action: string; id?: string; skipped: boolean; result?: ActionResult; inputs: Record<string, string> };

describe("the README's quickstart workflow, end to end with every store input at its default", () => {
  let ghcr: TestRegistry;
  let model: OpenAIServer;
  let mainDir: string;
  let mainSha: string;
  let pushRun: StepRecord[] | undefined;
  const dirs: string[] = [];

  beforeAll(async () => {
    ghcr = await startRegistry({ auth: "bearer" });
    model = await startOpenAIServer({ apiKey: OPENAI_KEY, respond: (request) => answer(request.messages.at(-1)?.content ?? "") });
    mainDir = await mkdtemp(join(tmpdir(), "llmops-quickstart-main-"));
    dirs.push(mainDir);
    // The repository on main: llmops.yaml (its suite calls the local server; the key comes from
    // OPENAI_API_KEY, as the quickstart's env line sets it) and the model directory the quickstart versions.
    await writeFile(
      join(mainDir, "llmops.yaml"),
      [
        "suites:",
        "  - name: sentiment",
        `    provider: { type: openai, model: sentiment, baseUrl: "${model.url}" }`,
        '    prompt: "{{text}}"',
        "    cases:",
        ...cases.map((c) => `      - { id: ${c.id}, vars: { text: "${c.text}" }, expected: ${c.label} }`),
        "    scorers: [{ type: equals, name: correct }]",
        "",
      ].join("\n"),
    );
    await mkdir(join(mainDir, "model"));
    await writeFile(join(mainDir, "model", "weights.json"), `${JSON.stringify({ version: 1, negatives: false })}\n`);
    git(mainDir, "init", "-q", "-b", "main");
    git(mainDir, "add", ".");
    git(mainDir, "commit", "-q", "-m", "production model");
    mainSha = git(mainDir, "rev-parse", "HEAD");
  });

  afterAll(async () => {
    await ghcr?.close();
    await model?.close();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  function git(cwd: string, ...args: string[]): string {
    return execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd, encoding: "utf8" }).trim();
  }

  /** The job token is the stand-in's password; its token server checks the user name, GITHUB_ACTOR. */
  const jobEnv = () => ({ LLMOPS_TEST_GHCR_HOST: ghcr.host, GITHUB_TOKEN: ghcr.password!, GITHUB_ACTOR: ghcr.username! });
  const secrets = () => ({ GITHUB_TOKEN: ghcr.password!, OPENAI_API_KEY: OPENAI_KEY });
  const ghcrSpec = () => `oci://${ghcr.host}/${REPOSITORY}`;

  /**
   * Runs the quickstart's job as the runner would for `event`: checkout is the prepared workspace;
   * every other step must be one of our actions, run through the harness.
   */
  async function runWorkflow(event: EventName, override: Payload, workspace: string, env: Record<string, string>): Promise<StepRecord[]> {
    const workflow = quickstart();
    const branch = event === "push" ? "main" : String((override.pull_request as { base: { ref: string } }).base.ref);
    expect(triggers(workflow.on, event, branch), `on: starts the workflow for ${event} on ${branch}`).toBe(true);
    const payload = deepMerge(retargetRepository(loadEventFixture(event), REPOSITORY), override);
    const vars = { ...contextVariables(event, payload, { runId: "1", runNumber: "1", runAttempt: "1" }), ...env };
    const github = {
      event_name: event,
      event: payload,
      repository: vars.GITHUB_REPOSITORY,
      repository_owner: vars.GITHUB_REPOSITORY_OWNER,
      ref: vars.GITHUB_REF,
      ref_name: vars.GITHUB_REF_NAME,
      sha: vars.GITHUB_SHA,
      head_ref: vars.GITHUB_HEAD_REF,
      base_ref: vars.GITHUB_BASE_REF,
      actor: vars.GITHUB_ACTOR,
      workspace,
      token: env.GITHUB_TOKEN,
    };
    const steps: Record<string, { outputs: Record<string, string>; outcome: string; conclusion: string }> = {};
    const records: StepRecord[] = [];
    let failed = false;
    const [job] = Object.values(workflow.jobs);
    expect(Object.keys(workflow.jobs)).toHaveLength(1);
    for (const step of job!.steps) {
      const contexts = {
        github,
        env: {},
        steps,
        secrets: secrets(),
        vars: {},
        job: {},
        runner: {},
        matrix: {},
        strategy: {},
        needs: {},
        inputs: {},
      };
      const evaluate = (values: Record<string, unknown> | undefined) =>
        Object.fromEntries(Object.entries(values ?? {}).map(([k, v]) => [k, evaluateTemplate(String(v), contexts)]));
      if (step.uses?.startsWith("actions/checkout@")) continue; // the workspace is the checkout
      const action = /^[^/]+\/llmops-actions\/actions\/([a-z-]+)@v1$/.exec(step.uses ?? "")?.[1];
      expect(action, `a step the test can run: ${step.uses ?? step.run}`).toBeDefined();
      const runs = evaluateCondition(step.if ?? "success()", { failed, cancelled: false }, contexts);
      const record: StepRecord = { action: action!, skipped: !runs, inputs: {} };
      if (step.id) record.id = step.id;
      records.push(record);
      if (!runs) {
        if (step.id) steps[step.id] = { outputs: {}, outcome: "skipped", conclusion: "skipped" };
        continue;
      }
      record.inputs = evaluate(step.with);
      const result = await runAction(action!, {
        event,
        payload: override,
        repository: REPOSITORY,
        workspace,
        inputs: record.inputs,
        env: { ...env, ...evaluate(workflow.env), ...evaluate(job!.env), ...evaluate(step.env) },
        timeoutMs: 120_000,
      });
      record.result = result;
      const outcome = result.exitCode === 0 ? "success" : "failure";
      if (outcome === "failure") failed = true;
      if (step.id) steps[step.id] = { outputs: result.outputs, outcome, conclusion: outcome };
    }
    return records;
  }

  const ran = (records: StepRecord[], action: string) => records.find((r) => r.action === action && !r.skipped)?.result;
  const logText = (result: ActionResult | undefined) => (result?.log ?? []).map((l) => l.text).join("\n");
  const storeLine = () => `store ${ghcrSpec()} (GHCR of the repository, the default in GitHub Actions, the job's GITHUB_TOKEN)`;

  it("on a push to main: versions the model as production and records its eval results on it as evidence", async () => {
    serving = "v1";
    const records = await runWorkflow("push", { ref: "refs/heads/main", after: mainSha }, mainDir, jobEnv());
    pushRun = records;
    expect(records.map((r) => [r.action, r.skipped])).toEqual([
      ["version", false],
      ["eval", false],
      ["compare", true],
    ]);
    // Empty-on-pull-request expressions came out as this event's values, and the actions took them.
    expect(records[0]?.inputs.aliases).toBe("production");
    expect(records[1]?.inputs.record).toBe("true");
    for (const r of records.filter((x) => !x.skipped)) {
      expect(r.result?.errors, r.action).toEqual([]);
      expect(
        r.result?.annotations.filter((a) => a.level === "error"),
        r.action,
      ).toEqual([]);
      expect(r.result?.exitCode, r.action).toBe(0);
    }
    const version = ran(records, "version")!;
    expect(version.outputs).toMatchObject({ store: ghcrSpec(), version: "v1", ref: "acme/sentiment:v1" });
    const evalRun = ran(records, "eval")!;
    expect(evalRun.outputs.passed).toBe("true");
    expect(JSON.parse(evalRun.outputs.metrics!).sentiment.correct).toBeCloseTo(20 / 30);
    expect(model.requests.every((r) => r.headers.authorization === `Bearer ${OPENAI_KEY}`)).toBe(true);
    for (const r of [version, evalRun]) expect(logText(r)).toContain(storeLine());
    expect(logText(evalRun)).toMatch(/recorded sentiment as evidence on acme\/sentiment:v1 \(sha256:/);

    // Read back independently of the actions: production is v1 and carries the suite's eval evidence.
    const store = openStore(ghcrSpec(), {
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      auth: { username: ghcr.username!, password: ghcr.password! },
      env: {},
      cacheDir: join(mainDir, "..", `${mainDir.split("/").pop()}-cache`),
    });
    dirs.push(join(mainDir, "..", `${mainDir.split("/").pop()}-cache`));
    const production = await store.resolve("acme/sentiment:production");
    expect(production.digest).toBe(version.outputs.digest);
    const evidence = await store.listEvidence(production, EVAL_ARTIFACT_TYPE);
    expect(evidence.map((e) => e.annotations["dev.llmops.suite"])).toEqual(["sentiment"]);

    expect(existsSync(join(mainDir, ".llmops", "store")), "no local store in the workspace").toBe(false);
    for (const r of [version, evalRun]) expect(leakedSecrets(r, [ghcr.password!, OPENAI_KEY])).toEqual([]);
  });

  it("on a pull request with a changed model: compare finds production's evidence as the baseline", async () => {
    expect(pushRun, "the push to main ran first").toBeDefined();
    const api: GitHubServer = await startGitHubServer({ owner: "acme", repo: "quickstart", token: ghcr.password! });
    try {
      // The pull request's checkout: main plus a commit changing the model.
      const prDir = await mkdtemp(join(tmpdir(), "llmops-quickstart-pr-"));
      dirs.push(prDir);
      git(prDir, "clone", "-q", mainDir, ".");
      git(prDir, "checkout", "-q", "-b", "better-model");
      await writeFile(join(prDir, "model", "weights.json"), `${JSON.stringify({ version: 2, negatives: true })}\n`);
      git(prDir, "commit", "-q", "-am", "a model that sees negative reviews");
      const headSha = git(prDir, "rev-parse", "HEAD");
      api.state.pulls.push({ number: 7, head: { ref: "better-model", sha: headSha }, base: { ref: "main" } });

      serving = "v2";
      const requestsBefore = model.requests.length;
      const records = await runWorkflow(
        "pull_request",
        {
          number: 7,
          pull_request: { number: 7, head: { ref: "better-model", sha: headSha }, base: { ref: "main", sha: mainSha } },
        },
        prDir,
        { ...jobEnv(), GITHUB_API_URL: api.url, LLMOPS_GITHUB_PACE: "false" },
      );
      expect(records.map((r) => [r.action, r.skipped])).toEqual([
        ["version", false],
        ["eval", false],
        ["compare", false],
      ]);
      expect(records[0]?.inputs.aliases).toBe("");
      expect(records[1]?.inputs.record).toBe("false");
      for (const r of records) {
        expect(r.result?.errors, r.action).toEqual([]);
        expect(
          r.result?.annotations.filter((a) => a.level === "error"),
          r.action,
        ).toEqual([]);
        expect(r.result?.exitCode, r.action).toBe(0);
      }
      const version = ran(records, "version")!;
      expect(version.outputs).toMatchObject({ store: ghcrSpec(), version: "v2", ref: "acme/sentiment:v2" });
      expect(model.requests.length - requestsBefore).toBe(N); // the new model's digest keys new answers
      const compare = ran(records, "compare")!;
      for (const r of records) expect(logText(r.result), r.action).toContain(storeLine());

      // The baseline is the evidence recorded on production (v1), not "no baseline".
      // (Latency is compared too, and local timings may differ significantly; quality may not regress.)
      expect(compare.outputs.verdict).toBe("pass");
      expect(JSON.parse(compare.outputs["regressions-json"]!)).toEqual([
        { suite: "sentiment", metrics: expect.not.arrayContaining(["correct", "pass_rate"]), gates: [] },
      ]);
      const report = JSON.parse(await readFile(join(prDir, ".llmops", "compare", "report.json"), "utf8"));
      expect(report).toMatchObject({ verdict: "pass", pullRequest: 7 });
      const comparison = JSON.parse(await readFile(join(prDir, ".llmops", "compare", "sentiment", "comparison.json"), "utf8"));
      expect(comparison.baseline).toMatchObject({
        source: "alias",
        description: 'suite "sentiment" results recorded on acme/sentiment:production (v1)',
        digest: ran(pushRun!, "version")!.outputs.digest,
      });
      expect(comparison.matched).toBe(N);
      expect(comparison.metrics.find((m: { name: string }) => m.name === "correct")).toMatchObject({
        baseline: 20 / 30,
        head: 1,
        verdict: "significant improvement",
      });
      const comments = api.state.comments.filter((c) => c.body.startsWith("<!-- llmops:compare suite=sentiment -->"));
      expect(comments).toHaveLength(1);
      expect(comments[0]?.body).toContain('Baseline: suite "sentiment" results recorded on acme/sentiment:production (v1)');
      expect(comments[0]?.body).not.toContain("No baseline found");
      expect(api.state.checkRuns).toMatchObject([{ name: "llmops compare (sentiment)", conclusion: "success", head_sha: headSha }]);

      expect(existsSync(join(prDir, ".llmops", "store")), "no local store in the workspace").toBe(false);
      for (const r of records) expect(leakedSecrets(r.result!, [ghcr.password!, OPENAI_KEY]), r.action).toEqual([]);
      for (const c of api.state.comments) expect(c.body).not.toContain(ghcr.password!);
      expect(ghcr.tokenServer!.requests.every((r) => r.authorized)).toBe(true);
    } finally {
      await api.close();
    }
  });
});
