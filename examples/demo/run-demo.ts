// `pnpm demo`: the whole pull-request loop on embedded defaults — no network, no keys — and then
// the model's way into production.
//
//  1. version the review dataset into a local OCI store (out/store)
//  2. train the production model (unigram naive Bayes), version it, alias it `production`
//  3. evaluate production on the dataset version's eval cases and record the results as evidence
//  4. train the candidate (a pull request adding bigrams), version it, evaluate it
//  5. compare candidate with the evidence recorded on `production`: paired statistics, flipped
//     cases, regression gates
//  6. write the PR comment Markdown and the job summary to files, and print the verdict
//  7. the pull request is merged: evaluate the candidate again and record that run as evidence
//  8. start the model server (serve.ts) over a model repository (out/model-repository) and a local
//     receiver standing in for the Slack alert webhook
//  9. `llmops promote` the candidate to production: requirements, model repository, alias, smoke
//     eval against the live server; `llmops status` before and after
// 10. promote a broken build of it (packaged without serving.json: offline eval passes, the server
//     cannot serve it): the smoke eval fails, production rolls back by itself, the alert arrives
// 11. stop the servers; print the verdict and both promotion outcomes
//
// Every step is a real `llmops` command, printed before it runs.
import { spawn } from "node:child_process";
import { createHmac, timingSafeEqual } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseDocument } from "yaml";
import { trainToDirectory } from "./model/train.ts";
import { startModelServer } from "./serve.ts";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = join(here, "..", "..");
// LLMOPS_DEMO_OUT moves everything the demo writes elsewhere (its test writes to a temp dir, never
// into the work tree).
const out = process.env.LLMOPS_DEMO_OUT ? resolve(process.env.LLMOPS_DEMO_OUT) : join(here, "out");
const bin = join(root, "packages", "cli", "bin", "llmops.js");
const store = join(out, "store");
const config = join(here, "llmops.yaml");
const show = (path: string) => relative(process.cwd(), path) || ".";
// The HMAC key the alert webhook is signed with: a demo value, not a secret.
const ALERT_SECRET = "demo-alert-secret";

// The demo is a local run wherever it runs: without the GITHUB_* variables of a CI job around it
// (as in this repository's own tests), its eval runs record no pull-request ref, promotion knows
// no default branch, and nothing is posted to GitHub.
const childEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("GITHUB_")));

/**
 * Runs `llmops <args>`, printing the command first. Returns its `--json` result, or with `text`
 * prints its human-readable output (to stderr: stdout carries only the demo's final lines).
 * Exit 1 (a gate or a smoke eval failed) is allowed with `allowGateFailure`.
 */
async function llmops(
  args: string[],
  options: { env?: Record<string, string>; allowGateFailure?: boolean; text?: boolean } = {},
): Promise<unknown> {
  const display = (value: string) => (value.startsWith("/") ? show(value) : value);
  const printable = args.map(display).join(" ");
  process.stderr.write(
    `\n$ ${
      options.env
        ? `${Object.entries(options.env)
            .map(([k, v]) => `${k}=${display(v)}`)
            .join(" ")} `
        : ""
    }llmops ${printable}\n`,
  );
  // Asynchronous, not spawnSync: the model server and the webhook receiver run in this process.
  const child = spawn(process.execPath, [bin, ...args, ...(options.text ? [] : ["--json"])], {
    cwd: here,
    // A fixed creation time makes the demo's version digests the same on every run and machine.
    env: { ...childEnv, SOURCE_DATE_EPOCH: "1764288000", ...options.env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let stdout = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    if (options.text) process.stderr.write(chunk);
    else stdout += chunk;
  });
  const status = await new Promise<number | null>((done, fail) => {
    child.on("error", fail);
    child.on("close", done);
  });
  const gateFailed = status === 1 && options.allowGateFailure;
  if (status !== 0 && !gateFailed) {
    process.stderr.write(`demo: llmops ${args[0]} exited ${status}\n`);
    process.exit(status ?? 3);
  }
  return options.text ? undefined : (JSON.parse(stdout) as unknown);
}

function step(title: string) {
  process.stderr.write(`\n== ${title}\n`);
}

rmSync(out, { recursive: true, force: true });

step("1. Version the dataset");
const dataset = (await llmops(["version", join(here, "data"), "--name", "demo/reviews", "--kind", "dataset", "--store", store])) as {
  ref: string;
  digest: string;
};

/**
 * Trains the model with word n-grams up to `ngrams` into out/<dir> and versions it under `alias`,
 * derived from the dataset. Returns the version's digest.
 */
async function trainAndVersion(ngrams: number, alias: string, options: { dir?: string; servingSignature?: boolean } = {}): Promise<string> {
  const model = join(out, options.dir ?? `model-ngrams${ngrams}`);
  trainToDirectory({
    data: join(here, "data", "train.jsonl"),
    out: model,
    ngrams,
    alpha: 1,
    ...(options.servingSignature === false ? { servingSignature: false } : {}),
  });
  const version = (await llmops([
    "version",
    model,
    "--name",
    "demo/sentiment",
    "--kind",
    "model",
    "--parent",
    `demo/reviews@${dataset.digest}`,
    "--param",
    `ngrams=${ngrams}`,
    "--alias",
    alias,
    "--store",
    store,
  ])) as { digest: string };
  return version.digest;
}

/**
 * Fetches the version `alias` names, as a serving job would, and evaluates it there on the
 * `sentiment` suite (the `smoke` suite is for the live server). `as` names the fetched directory
 * and the results directory (default the alias).
 */
async function fetchAndEvaluate(
  alias: string,
  options: { record: boolean; as?: string },
): Promise<{ suites: { suite: string; summaryPath: string }[] }> {
  const serving = join(out, "serving", options.as ?? alias);
  await llmops(["fetch", `demo/sentiment:${alias}`, serving, "--store", store]);
  return (await llmops(
    [
      "eval",
      "--config",
      config,
      "--suite",
      "sentiment",
      "--model",
      `demo/sentiment:${alias}`,
      "--store",
      store,
      "--out",
      join(out, "results", options.as ?? alias),
      ...(options.record ? ["--record"] : []),
      "--no-cache",
    ],
    { env: { LLMOPS_MODEL_DIR: serving }, allowGateFailure: !options.record },
  )) as { suites: { suite: string; summaryPath: string }[] };
}

step("2. Train and version the production model (unigram naive Bayes)");
await trainAndVersion(1, "production");

step("3. Evaluate production and record the results as evidence on its version");
await fetchAndEvaluate("production", { record: true });

step("4. The pull request: train with bigrams, version the candidate, evaluate it");
const candidate = await trainAndVersion(2, "candidate");
const evalResult = await fetchAndEvaluate("candidate", { record: false });

step("5. Compare the candidate with the production baseline");
const comparison = (await llmops(
  [
    "compare",
    "--head",
    join(out, "results", "candidate", "sentiment"),
    "--baseline-ref",
    "demo/sentiment:production",
    "--store",
    store,
    "--config",
    config,
    "--out",
    join(out, "compare"),
  ],
  { allowGateFailure: true },
)) as { verdict: string };

step("6. Pull-request comment and job summary");
const commentPath = join(out, "compare", "sentiment", "comment.md");
const summaryPath = join(out, "job-summary.md");
const evalSummaries = evalResult.suites.map((s) => join(s.summaryPath, "..", "summary.md")).filter(existsSync);
writeFileSync(summaryPath, [readFileSync(commentPath, "utf8"), ...evalSummaries.map((p) => readFileSync(p, "utf8"))].join("\n\n"));
process.stderr.write(
  `PR comment Markdown: ${show(commentPath)}\nJob summary:         ${show(summaryPath)}\nStore:               ${show(store)} (OCI image layout; try: skopeo inspect oci:${show(store)}:...)\n`,
);
process.stdout.write(`verdict: ${comparison.verdict}\n`);

// The candidate's evidence is recorded here, after the merge, not in step 4: step 4 is the pull
// request's run, and evidence from a pull request's run never counts for a promotion. Step 5
// compared against production's evidence either way.
step("7. The pull request is merged: evaluate the candidate again and record the run as evidence");
await fetchAndEvaluate("candidate", { record: true, as: "candidate-merged" });

step("8. Start the model server over a model repository, and a stand-in for the Slack alert webhook");
const repository = join(out, "model-repository");
mkdirSync(repository, { recursive: true });
const server = await startModelServer({ repository, model: "sentiment", port: 0 });
const receiver = await startAlertReceiver(ALERT_SECRET);
const promoteConfig = writePromoteConfig(server.url, repository);
process.stderr.write(
  `Model server:   ${server.url} (POST /v1/predict), serving what ${show(join(repository, "sentiment", "config.pbtxt"))} names\n` +
    `Alert receiver: ${receiver.url} (checks X-Llmops-Signature-256)\n` +
    `Config:         ${show(promoteConfig)} (llmops.yaml with environments.production.url = ${server.url})\n`,
);
const promoteArgs = ["--config", promoteConfig, "--store", store];
const alertEnv = { DEMO_ALERT_WEBHOOK_URL: receiver.url, DEMO_ALERT_SECRET: ALERT_SECRET };

step("9. Promote the candidate to production: requirements, model repository, alias, smoke eval");
// `production` was set by `llmops version --alias` in step 2, not by a promotion: the model
// repository is still empty, and status shows the alias without a promotion record.
await llmops(["status", "production", ...promoteArgs], { text: true });
const promoted = (await llmops(["promote", `demo/sentiment@${candidate}`, "--to", "production", ...promoteArgs], {
  env: alertEnv,
})) as PromotionResult;
describePromotion(promoted);
await llmops(["status", "production", ...promoteArgs], { text: true });

step("10. A broken build: packaged without serving.json, it passes offline eval but the server cannot serve it");
const broken = await trainAndVersion(2, "candidate", { dir: "model-ngrams2-repackaged", servingSignature: false });
await fetchAndEvaluate("candidate", { record: true, as: "repackaged" });
const rolledBack = (await llmops(["promote", `demo/sentiment@${broken}`, "--to", "production", ...promoteArgs], {
  env: alertEnv,
  allowGateFailure: true,
})) as PromotionResult;
describePromotion(rolledBack);
for (const alert of receiver.alerts) {
  process.stderr.write(`\nAlert received (signature ${alert.verified ? "verified" : "INVALID"}):\n${alert.text.replace(/^/gm, "  ")}\n`);
}
await llmops(["status", "production", ...promoteArgs], { text: true });
writeFileSync(join(out, "promote.json"), `${JSON.stringify([promoted, rolledBack], null, 2)}\n`);

step("11. Monitor production: the live server against its evidence, and a drifted traffic sample");
// A week of traffic from a new market: the reviews are in German and much longer than the ones
// the model was evaluated on. The quality check finds nothing wrong; the text drifts.
writeFileSync(join(out, "traffic.jsonl"), driftedTraffic(200));
receiver.alerts.length = 0;
receiver.prefix = "monitor-alert";
const monitored = (await llmops(["monitor", "production", ...promoteArgs, "--no-github"], {
  env: alertEnv,
  allowGateFailure: true,
})) as { alerting: boolean; environments: { monitors: { drift?: { features: { field: string; drifted?: boolean }[] } }[] }[] };
for (const alert of receiver.alerts) {
  process.stderr.write(
    `\nMonitoring alert received (signature ${alert.verified ? "verified" : "INVALID"}):\n${alert.text.replace(/^/gm, "  ")}\n`,
  );
}
writeFileSync(join(out, "monitor.json"), `${JSON.stringify(monitored, null, 2)}\n`);

step("12. User feedback becomes dataset demo/reviews:v2 (deduplicated, PII redacted, lineage to the model)");
writeFileSync(join(out, "feedback.jsonl"), feedbackEvents(`demo/sentiment@${candidate}`));
const ingested = (await llmops(["feedback", "ingest", join(out, "feedback.jsonl"), "--dataset", "demo/reviews", "--store", store])) as {
  version: { ref: string } | null;
  counts: { added: number; redactions: { total: number } };
};
process.stderr.write(
  `${ingested.version?.ref ?? "no new version"}: ${ingested.counts.added} new cases, ${ingested.counts.redactions.total} personal details redacted\n`,
);

step("13. Check a new batch of labelled reviews before it joins the training set");
// Someone pasted one of the eval reviews into it, and one review carries an email address.
const batch = join(out, "new-batch");
mkdirSync(batch, { recursive: true });
writeFileSync(join(batch, "reviews.jsonl"), newBatch());
await llmops(["check", batch, "--against", join(here, "data", "eval.jsonl"), "--store", store], { text: true, allowGateFailure: true });

step("14. Done");
server.close();
receiver.close();
process.stderr.write(`Promotion results: ${show(join(out, "promote.json"))}\nModel repository:  ${show(repository)}\n`);
process.stdout.write(
  `promotion: ${promoted.outcome}\nrollback: ${rolledBack.outcome}\nmonitor: ${monitored.alerting ? "alerting" : "ok"}\nfeedback: ${ingested.version?.ref ?? "none"}\n`,
);

/** Production traffic that drifted: German reviews, several sentences long. */
function driftedTraffic(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const text = `Der Wasserkocher Nummer ${i} ist wirklich gut und die Lieferung war schnell, aber die Anleitung ist leider nur auf Englisch und die Verpackung war beschädigt. Ich würde ihn trotzdem wieder kaufen.`;
    lines.push(JSON.stringify({ text }));
  }
  return `${lines.join("\n")}\n`;
}

/** Thumbs-down feedback with corrections from the served model's users; one carries an email address. */
function feedbackEvents(model: string): string {
  const events = [
    { requestId: "req-1", input: "The toaster is not bad at all.", output: "negative", rating: "bad", correction: "positive" },
    { requestId: "req-2", input: "Never again, the kettle leaks.", output: "negative", rating: "good" },
    {
      requestId: "req-3",
      input: "Write to me at jane.doe@example.com, the blender is not great.",
      output: "positive",
      rating: "bad",
      correction: "negative",
    },
    { requestId: "req-1", input: "The toaster is not bad at all.", output: "negative", rating: "bad", correction: "positive" },
  ];
  return `${events.map((e) => JSON.stringify({ ...e, model, consent: true })).join("\n")}\n`;
}

/** Labelled reviews from a new source: one is an eval review copied in by mistake, one carries an email address. */
function newBatch(): string {
  const evalCase = JSON.parse(readFileSync(join(here, "data", "eval.jsonl"), "utf8").split("\n")[0]!) as {
    vars: { text: string };
    expected: string;
  };
  const rows = [
    { id: "n001", text: "Sturdy little tripod, survived two hiking trips in the rain without a scratch.", label: "positive" },
    { id: "n002", text: "The headphones hiss constantly and the left cup stopped working after a week.", label: "negative" },
    { id: "n003", text: "Lovely scarf, warm and soft, and the colour matches the photos exactly.", label: "positive" },
    { id: "n004", text: evalCase.vars.text, label: evalCase.expected },
    { id: "n005", text: "Great kettle, write to john.smith@example.org if you want my unboxing notes.", label: "positive" },
  ];
  return `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`;
}

/** The fields of `llmops promote --json` the demo reads. */
interface PromotionResult {
  outcome: string;
  message: string;
  smoke?: { passed: boolean; error?: string; metrics: Record<string, number> };
  notifications: { channel: string; action: string; target?: string; error?: string }[];
}

function describePromotion(result: PromotionResult): void {
  const lines = [`${result.outcome}: ${result.message}`];
  if (result.smoke) {
    const metrics = Object.entries(result.smoke.metrics)
      .map(([name, value]) => `${name}=${value}`)
      .join(" ");
    lines.push(`  smoke: ${result.smoke.passed ? "passed" : `failed${result.smoke.error ? ` (${result.smoke.error})` : ""}`}  ${metrics}`);
  }
  for (const n of result.notifications) lines.push(`  notified ${n.channel}: ${n.action}${n.error ? ` (${n.error})` : ""}`);
  process.stderr.write(`${lines.join("\n")}\n`);
}

/**
 * llmops.yaml as `llmops promote` needs it here: the environment's url is the server's, known only
 * now (a URL field takes no templates), and the paths relative to examples/demo made absolute since
 * the copy lives in out/. Comments are kept.
 */
function writePromoteConfig(url: string, repositoryRoot: string): string {
  const doc = parseDocument(readFileSync(config, "utf8"));
  const parsed = doc.toJS() as { $schema?: string; suites: { provider?: { type: string; path?: string } }[] };
  doc.commentBefore = ` Written by run-demo.ts: ${relative(root, config)} with the model server's URL.${doc.commentBefore ? `\n${doc.commentBefore}` : ""}`;
  if (parsed.$schema) doc.setIn(["$schema"], relative(out, join(here, parsed.$schema)));
  parsed.suites.forEach((suite, i) => {
    if (suite.provider?.type === "module" && suite.provider.path)
      doc.setIn(["suites", i, "provider", "path"], join(here, suite.provider.path));
  });
  doc.setIn(["environments", "production", "url"], url);
  doc.setIn(["environments", "production", "targets", 0, "root"], repositoryRoot);
  doc.setIn(["environments", "production", "monitor", "sample"], join(out, "traffic.jsonl"));
  const file = join(out, "llmops.promote.yaml");
  writeFileSync(file, String(doc));
  return file;
}

/**
 * A local HTTP endpoint standing in for a Slack incoming webhook: checks the HMAC-SHA256 signature
 * of each alert and keeps its `text`. Writes the last one to out/<prefix>.txt (`prefix` starts as
 * `alert`), and the raw request (body and signature header) to out/<prefix>-request.json.
 */
function startAlertReceiver(
  secret: string,
): Promise<{ url: string; alerts: { text: string; verified: boolean }[]; prefix: string; close(): void }> {
  const alerts: { text: string; verified: boolean }[] = [];
  const files = { prefix: "alert" };
  const http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const header = String(req.headers["x-llmops-signature-256"] ?? "");
      const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(body).digest("hex")}`);
      const verified = header.length === expected.length && timingSafeEqual(Buffer.from(header), expected);
      let text = "";
      try {
        text = String((JSON.parse(body.toString("utf8")) as { text?: unknown }).text ?? "");
      } catch {}
      alerts.push({ text, verified });
      writeFileSync(join(out, `${files.prefix}.txt`), `${text}\n`);
      writeFileSync(
        join(out, `${files.prefix}-request.json`),
        `${JSON.stringify({ signature: header, body: body.toString("utf8") }, null, 2)}\n`,
      );
      res.writeHead(verified ? 200 : 401).end();
    });
  });
  return new Promise((done) => {
    http.listen(0, "127.0.0.1", () => {
      const address = http.address();
      const port = typeof address === "object" && address ? address.port : 0;
      done({
        url: `http://127.0.0.1:${port}/alerts`,
        alerts,
        get prefix() {
          return files.prefix;
        },
        set prefix(value: string) {
          files.prefix = value;
        },
        close: () => http.close(),
      });
    });
  });
}
