// `llmops metrics` end to end: result documents of every kind on disk → one exposition (a file
// Prometheus' OpenMetrics parser accepts, or stdout), and → a real Pushgateway (Debian's
// prometheus-pushgateway) scraped by a real Prometheus, the values read back through its query
// API. Bad input stops it with exit 2 and one line before anything is written or pushed.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { queryPrometheus, startPrometheus, type TestPrometheus, waitForQuery } from "@llmops/test/prometheus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { metricsCommand } from "../../packages/cli/src/commands/metrics.ts";
import { runMain } from "../../packages/cli/test/helpers.ts";
import {
  CANDIDATE_DIGEST,
  checkDocument,
  comparison,
  evalSummary,
  MODEL_DIGEST,
  monitorDocument,
  statusDocument,
} from "../../packages/operate/test/metrics/fixtures.ts";
import { promtoolCheckMetrics, promtoolParseOpenMetrics } from "../../packages/operate/test/metrics/promtool.ts";
import { pushedGroups, startPushgateway, type TestPushgateway } from "../../packages/operate/test/metrics/pushgateway-server.ts";

let ws: string;

function llmops(args: string[], env: Record<string, string> = {}) {
  // The command is passed in, so this test does not depend on the registry in commands/index.ts.
  return runMain(["metrics", ...args], { cwd: ws, env, commands: [metricsCommand] });
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await mkdir(join(ws, file, ".."), { recursive: true });
  await writeFile(join(ws, file), `${JSON.stringify(value, null, 2)}\n`);
}

beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), "llmops-metrics-e2e-"));
  await writeJson("eval/summary.json", evalSummary());
  await writeJson("compare/report.json", { schemaVersion: 1, suites: [{ suite: "sentiment", directory: "sentiment" }] });
  await writeJson("compare/sentiment/comparison.json", comparison());
  await writeJson("status.json", statusDocument());
  await writeJson("check.json", checkDocument());
  await writeJson("monitor.json", monitorDocument());
});
afterAll(async () => {
  await rm(ws, { recursive: true, force: true });
});

describe("llmops metrics to a file or stdout", () => {
  it("writes every kind of result as one OpenMetrics exposition, atomically, and says so in --json", async () => {
    const result = await llmops([
      "eval",
      "compare",
      "status.json",
      "check.json",
      "monitor.json",
      "--environment",
      "production",
      "--out",
      "out/metrics.om",
      "--json",
    ]);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ out: join(ws, "out", "metrics.om"), format: "openmetrics" });
    expect(summary.series).toBeGreaterThan(60);
    // The temp file beside it is gone: only the exposition is left.
    expect(await readdir(join(ws, "out"))).toEqual(["metrics.om"]);
    const text = await readFile(join(ws, "out", "metrics.om"), "utf8");
    const parsed = promtoolParseOpenMetrics(text);
    expect(parsed.code, parsed.output).toBe(0);
    expect(text).toContain(
      `llmops_eval_metric{suite="sentiment",metric="accuracy",model="acme/sentiment",digest="${MODEL_DIGEST}",environment="production"} 0.915\n`,
    );
    expect(text).toContain('llmops_compare_delta{suite="sentiment",metric="accuracy",environment="production"} -0.1\n');
    expect(text).toContain(`llmops_rollout_percent{environment="staging",name="acme/sentiment",candidate="${CANDIDATE_DIGEST}"} 25\n`);
    expect(text).toContain(`llmops_check_findings{dataset="demo/reviews",digest="${MODEL_DIGEST}",check="pii"} 4\n`);
    expect(text).toContain('llmops_drift_psi{environment="production",suite="drift",feature="text"} 0.31\n');
    expect(text.endsWith("# EOF\n")).toBe(true);
    // --environment labels eval and compare results only; the others are told so, and the unreadable environment too.
    expect(result.stderr).toContain("warning: status.json: --environment does not apply to status results");
    expect(result.stderr).toContain("warning: monitor.json: --environment does not apply to monitor results");
    expect(result.stderr).toContain("environment canary-lab has no series: store unreachable");
  });

  it("reads every suite below a parent directory, as llmops eval writes them (<out>/<suite>/summary.json)", async () => {
    await writeJson("results/sentiment/summary.json", evalSummary());
    await writeJson("results/toxicity/summary.json", evalSummary({ suite: "toxicity" }));
    const result = await llmops(["results"]);
    expect(result.code, result.stderr).toBe(0);
    const suites = [...result.stdout.matchAll(/^llmops_eval_passed\{suite="([^"]+)"/gm)].map((m) => m[1]);
    expect(suites).toEqual(["sentiment", "toxicity"]);
  });

  it("prints the exposition on stdout without --out; --format prometheus is the text format promtool checks", async () => {
    const openmetrics = await llmops(["eval/summary.json"]);
    expect(openmetrics.code).toBe(0);
    expect(openmetrics.stdout).toMatch(/^# TYPE llmops_eval_metric gauge\n/);
    expect(openmetrics.stdout.endsWith("# EOF\n")).toBe(true);
    const prometheus = await llmops(["eval", "compare/sentiment", "status.json", "check.json", "monitor.json", "--format", "prometheus"]);
    expect(prometheus.code).toBe(0);
    expect(prometheus.stdout).toContain("# TYPE llmops_promotion_info gauge\n");
    expect(promtoolCheckMetrics(prometheus.stdout)).toEqual({ code: 0, output: "" });
  });

  it("stops with exit 2 and one line naming the problem, before writing anything", async () => {
    await writeJson("unknown.json", { schemaVersion: 1, something: [] });
    await writeJson("v2.json", { ...evalSummary(), schemaVersion: 2 });
    await writeJson("broken/summary.json", { ...evalSummary(), cases: -1 });
    await writeJson("shard/summary.json", evalSummary({ complete: false, shard: { index: 1, count: 2 } }));
    await writeFile(join(ws, "notjson.json"), "{ nope");
    await mkdir(join(ws, "empty"), { recursive: true });
    const cases: [string[], RegExp, Record<string, string>?][] = [
      [[], /expected at least one PATH/],
      [["unknown.json"], /unknown\.json: not a result llmops metrics reads; expected one of: eval results \(summary\.json\), /],
      [["v2.json"], /v2\.json: schemaVersion 2 is not supported \(expected 1\)/],
      [["broken"], /summary\.json: not valid as eval results \(summary\.json\): .*cases/],
      [["shard"], /shard 1 of 2; export the complete \(merged\) run/],
      [["notjson.json"], /notjson\.json: not JSON/],
      [["empty"], /empty: a directory without summary\.json .*, in it or below$/],
      [["missing"], /missing: no such file or directory/],
      [["eval", "eval/summary.json"], /series llmops_eval_metric\{.*\} is given twice \(from eval and eval\/summary\.json\)/],
      [["eval", "--format", "xml"], /--format xml: expected openmetrics or prometheus/],
      [["eval", "--job", "j"], /--job, --grouping and --method go with --push URL/],
      [["eval", "--push", "http://127.0.0.1:9"], /--push needs --job NAME/],
      [["eval", "--push", "http://127.0.0.1:9", "--job", "j", "--grouping", "novalue"], /--grouping novalue: expected NAME=VALUE/],
      [["eval", "--push", "http://127.0.0.1:9", "--job", "j", "--grouping", "bad-name=x"], /grouping label "bad-name": expected a letter/],
      [["eval", "--push", "http://127.0.0.1:9", "--job", "j", "--method", "GET"], /--method GET: expected PUT or POST/],
      [["eval", "--push", "http://u:p@127.0.0.1:9", "--job", "j"], /holds credentials; give them in LLMOPS_PUSHGATEWAY_USERNAME/],
      [
        ["eval", "--push", "http://127.0.0.1:9", "--job", "j"],
        /set both LLMOPS_PUSHGATEWAY_USERNAME and LLMOPS_PUSHGATEWAY_PASSWORD/,
        { LLMOPS_PUSHGATEWAY_USERNAME: "ci" },
      ],
      [["eval", "--json"], /--json prints a summary on stdout: give --out FILE or --push URL/],
      [["eval", "--out", "empty"], /--out empty: is a directory/],
      [["eval", "unknown.json", "--out", "never.om"], /unknown\.json: not a result/],
      [
        [
          "eval",
          "--environment",
          "staging",
          "--push",
          "http://127.0.0.1:9",
          "--job",
          "j",
          "--grouping",
          "environment=prod",
          "--out",
          "never.om",
        ],
        /grouping label environment="prod" would overwrite environment="staging" of llmops_eval_metric/,
      ],
    ];
    for (const [args, message, env] of cases) {
      const result = await llmops(args, env);
      expect([result.code, args.join(" ")]).toEqual([2, args.join(" ")]);
      const lines = result.stderr.trim().split("\n");
      expect(lines[0], args.join(" ")).toMatch(message);
      expect(lines[0]!.startsWith("llmops metrics: ")).toBe(true);
      expect(result.stdout).toBe("");
    }
    await expect(readFile(join(ws, "never.om"))).rejects.toThrow(/ENOENT/);
  });
});

describe("llmops metrics --push", () => {
  let gateway: TestPushgateway;
  let prometheus: TestPrometheus;
  beforeAll(async () => {
    gateway = await startPushgateway();
    prometheus = await startPrometheus({ scrapeTargets: [gateway.target], scrapeIntervalMs: 500 });
  });
  afterAll(async () => {
    await prometheus?.stop();
    await gateway?.stop();
  });

  it("pushes an eval summary and a status with a rollout; Prometheus scraping the Pushgateway reads them back", async () => {
    const result = await llmops([
      "eval",
      "status.json",
      "--environment",
      "staging",
      "--push",
      gateway.url,
      "--job",
      "llmops-nightly",
      "--grouping",
      "pipeline=main",
      "--json",
    ]);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.push).toMatchObject({
      url: `${gateway.url}/metrics/job/llmops-nightly/pipeline/main`,
      method: "PUT",
      status: 200,
      attempts: 1,
      series: summary.series,
    });
    expect(await pushedGroups(gateway)).toContainEqual({ job: "llmops-nightly", pipeline: "main" });

    // The test Prometheus does not set honor_labels: the pushed job label is exported_job.
    const group = 'exported_job="llmops-nightly",pipeline="main"';
    const accuracy = await waitForQuery(prometheus.url, `llmops_eval_metric{${group},metric="accuracy"}`);
    expect(accuracy.map((s) => [s.labels.environment, s.labels.digest, s.value])).toEqual([["staging", MODEL_DIGEST, 0.915]]);
    const cases = await queryPrometheus(prometheus.url, `llmops_eval_cases{${group}}`);
    expect(cases.map((s) => s.value)).toEqual([200]);
    const percent = await queryPrometheus(prometheus.url, `llmops_rollout_percent{${group}}`);
    expect(percent.map((s) => [s.labels.environment, s.value])).toEqual([["staging", 25]]);
    const step = await queryPrometheus(prometheus.url, `llmops_rollout_step{${group}}`);
    expect(step.map((s) => s.value)).toEqual([1]);
    const serving = await queryPrometheus(prometheus.url, `count by (environment) (llmops_promotion_info{${group}})`);
    expect(serving.map((s) => s.labels.environment).sort()).toEqual(["production", "staging"]);
  });

  it("prints one line for people", async () => {
    const result = await llmops(["check.json", "--push", gateway.url, "--job", "llmops-check"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^pushed 9 series to http:\/\/127\.0\.0\.1:\d+\/metrics\/job\/llmops-check \(PUT, HTTP 200\)\n$/);
  });
});

describe("llmops metrics --push with basic auth", () => {
  const auth = { username: "ci", password: "correct horse battery" };
  let gateway: TestPushgateway;
  beforeAll(async () => {
    gateway = await startPushgateway({ basicAuth: auth });
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  it("sends the credentials from the environment; a wrong password is exit 3, its text never printed", async () => {
    const ok = await llmops(["eval", "--push", gateway.url, "--job", "authed"], {
      LLMOPS_PUSHGATEWAY_USERNAME: auth.username,
      LLMOPS_PUSHGATEWAY_PASSWORD: auth.password,
    });
    expect(ok.code, ok.stderr).toBe(0);
    expect(await pushedGroups(gateway, auth)).toContainEqual({ job: "authed" });

    const wrong = "wrong-password-123";
    const refused = await llmops(["eval", "--push", gateway.url, "--job", "authed", "-v"], {
      LLMOPS_PUSHGATEWAY_USERNAME: auth.username,
      LLMOPS_PUSHGATEWAY_PASSWORD: wrong,
    });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(
      /llmops metrics: PUT http:\/\/127\.0\.0\.1:\d+\/metrics\/job\/authed was refused: HTTP 401.*LLMOPS_PUSHGATEWAY_PASSWORD\)\n$/,
    );
    expect(`${refused.stdout}${refused.stderr}`).not.toContain(wrong);
    const anonymous = await llmops(["eval", "--push", gateway.url, "--job", "authed"]);
    expect(anonymous.code).toBe(3);
  });
});
