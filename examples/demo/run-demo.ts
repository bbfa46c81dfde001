// `pnpm demo`: the whole pull-request loop on embedded defaults — no network, no keys.
//
//  1. version the review dataset into a local OCI store (out/store)
//  2. train the production model (unigram naive Bayes), version it, alias it `production`
//  3. evaluate production on the dataset version's eval cases and record the results as evidence
//  4. train the candidate (a pull request adding bigrams), version it, evaluate it
//  5. compare candidate with the evidence recorded on `production`: paired statistics, flipped
//     cases, regression gates
//  6. write the PR comment Markdown and the job summary to files, and print the verdict
//
// Every step is a real `llmops` command, printed before it runs.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { trainToDirectory } from "./model/train.ts";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = join(here, "..", "..");
// LLMOPS_DEMO_OUT moves everything the demo writes elsewhere (its test writes to a temp dir, never
// into the work tree).
const out = process.env.LLMOPS_DEMO_OUT ? resolve(process.env.LLMOPS_DEMO_OUT) : join(here, "out");
const bin = join(root, "packages", "cli", "bin", "llmops.js");
const store = join(out, "store");
const config = join(here, "llmops.yaml");
const show = (path: string) => relative(process.cwd(), path) || ".";

function llmops(args: string[], options: { env?: Record<string, string>; allowGateFailure?: boolean } = {}): unknown {
  const printable = args.map((a) => (a.startsWith("/") ? show(a) : a)).join(" ");
  process.stderr.write(
    `\n$ ${
      options.env
        ? `${Object.entries(options.env)
            .map(([k, v]) => `${k}=${show(v)}`)
            .join(" ")} `
        : ""
    }llmops ${printable}\n`,
  );
  const result = spawnSync(process.execPath, [bin, ...args, "--json"], {
    cwd: here,
    // A fixed creation time makes the demo's version digests the same on every run and machine.
    env: { ...process.env, SOURCE_DATE_EPOCH: "1764288000", ...options.env },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const gateFailed = result.status === 1 && options.allowGateFailure;
  if (result.status !== 0 && !gateFailed) {
    process.stderr.write(`demo: llmops ${args[0]} exited ${result.status}\n`);
    process.exit(result.status ?? 3);
  }
  return JSON.parse(result.stdout) as unknown;
}

function step(title: string) {
  process.stderr.write(`\n== ${title}\n`);
}

rmSync(out, { recursive: true, force: true });

step("1. Version the dataset");
const dataset = llmops(["version", join(here, "data"), "--name", "demo/reviews", "--kind", "dataset", "--store", store]) as {
  ref: string;
  digest: string;
};

/** Trains the model with word n-grams up to `ngrams` and versions it under `alias`, derived from the dataset. */
function trainAndVersion(ngrams: number, alias: string): void {
  const model = join(out, `model-ngrams${ngrams}`);
  trainToDirectory({ data: join(here, "data", "train.jsonl"), out: model, ngrams, alpha: 1 });
  llmops([
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
  ]);
}

/** Fetches the version `alias` names, as a serving job would, and evaluates it there. */
function fetchAndEvaluate(alias: string, options: { record: boolean }): { suites: { suite: string; summaryPath: string }[] } {
  const serving = join(out, "serving", alias);
  llmops(["fetch", `demo/sentiment:${alias}`, serving, "--store", store]);
  return llmops(
    [
      "eval",
      "--config",
      config,
      "--model",
      `demo/sentiment:${alias}`,
      "--store",
      store,
      "--out",
      join(out, "results", alias),
      ...(options.record ? ["--record"] : []),
      "--no-cache",
    ],
    { env: { LLMOPS_MODEL_DIR: serving }, allowGateFailure: !options.record },
  ) as { suites: { suite: string; summaryPath: string }[] };
}

step("2. Train and version the production model (unigram naive Bayes)");
trainAndVersion(1, "production");

step("3. Evaluate production and record the results as evidence on its version");
fetchAndEvaluate("production", { record: true });

step("4. The pull request: train with bigrams, version the candidate, evaluate it");
trainAndVersion(2, "candidate");
const evalResult = fetchAndEvaluate("candidate", { record: false });

step("5. Compare the candidate with the production baseline");
const comparison = llmops(
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
) as { verdict: string };

step("6. Pull-request comment and job summary");
const commentPath = join(out, "compare", "sentiment", "comment.md");
const summaryPath = join(out, "job-summary.md");
const evalSummaries = evalResult.suites.map((s) => join(s.summaryPath, "..", "summary.md")).filter(existsSync);
writeFileSync(summaryPath, [readFileSync(commentPath, "utf8"), ...evalSummaries.map((p) => readFileSync(p, "utf8"))].join("\n\n"));
process.stderr.write(
  `PR comment Markdown: ${show(commentPath)}\nJob summary:         ${show(summaryPath)}\nStore:               ${show(store)} (OCI image layout; try: skopeo inspect oci:${show(store)}:...)\n`,
);
process.stdout.write(`verdict: ${comparison.verdict}\n`);
