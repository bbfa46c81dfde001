// Regenerates test/fixtures/events/*.json from GitHub's documented webhook payload examples as
// published in the npm package @octokit/webhooks-examples (the examples of docs.github.com).
//
//   cd "$(mktemp -d)" && npm pack @octokit/webhooks-examples@7.6.1 && tar xzf octokit-webhooks-examples-7.6.1.tgz
//   node_modules/.bin/node test/src/harness/generate-event-fixtures.ts "$OLDPWD/package/api.github.com/index.json"
//
// Each fixture is one documented example, moved to the harness's default repository
// (octo-org/octo-repo, default branch main) so every event names the same repository; the few
// fields the runner fills in for Actions but the webhook example leaves empty are set explicitly
// below, each with its reason.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fixturesRoot } from "./paths.ts";

type Json = Record<string, unknown>;
type Example = { name: string; examples: Json[] };

const EXAMPLES_VERSION = "@octokit/webhooks-examples@7.6.1";

function pick(all: Example[], event: string, test: (payload: Json) => boolean): Json {
  const found = all.find((e) => e.name === event)?.examples.find(test);
  if (!found) throw new Error(`${EXAMPLES_VERSION} has no matching ${event} example`);
  return structuredClone(found);
}

function walk(value: unknown, visit: (text: string) => string): unknown {
  if (typeof value === "string") return visit(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, visit));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, visit)]));
  }
  return value;
}

/** Moves a Codertocat/Hello-World example (branch master) to octo-org/octo-repo (branch main). */
function normalize(payload: Json): Json {
  const moved = walk(payload, (s) =>
    s
      .replaceAll("Codertocat/Hello-World", "octo-org/octo-repo")
      .replace(/^Hello-World$/, "octo-repo")
      .replace(/^master$/, "main")
      .replace(/^refs\/heads\/master$/, "refs/heads/main"),
  ) as Json;
  const owner = {
    login: "octo-org",
    id: 6811672,
    node_id: "MDEyOk9yZ2FuaXphdGlvbjY4MTE2NzI=",
    avatar_url: "https://avatars.githubusercontent.com/u/6811672?v=4",
    url: "https://api.github.com/users/octo-org",
    html_url: "https://github.com/octo-org",
    type: "Organization",
    site_admin: false,
  };
  const fixRepo = (repo: unknown) => {
    if (repo && typeof repo === "object" && (repo as Json).full_name === "octo-org/octo-repo") {
      const r = repo as Json;
      r.name = "octo-repo";
      r.owner = { ...(walk(r.owner ?? {}, (s) => s.replaceAll("Codertocat", "octo-org")) as Json), ...owner };
      if ("default_branch" in r) r.default_branch = "main";
      if ("master_branch" in r) r.master_branch = "main";
    }
  };
  fixRepo(moved.repository);
  const pr = moved.pull_request as Json | undefined;
  if (pr) {
    fixRepo((pr.head as Json).repo);
    fixRepo((pr.base as Json).repo);
  }
  const run = moved.workflow_run as Json | undefined;
  if (run) {
    fixRepo(run.repository);
    fixRepo(run.head_repository);
  }
  delete moved.installation; // Actions event payloads of GITHUB_TOKEN runs carry no App installation.
  return moved;
}

function main(indexPath: string): void {
  const all = JSON.parse(readFileSync(indexPath, "utf8")) as Example[];
  const fixtures: Record<string, Json> = {};

  const opened = normalize(pick(all, "pull_request", (p) => p.action === "opened" && "organization" in p));
  // Actions creates the test merge commit before the job starts, so GITHUB_SHA has a value.
  (opened.pull_request as Json).merge_commit_sha = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
  fixtures["pull_request.opened"] = opened;

  const sync = normalize(pick(all, "pull_request", (p) => p.action === "synchronize"));
  (sync.pull_request as Json).merge_commit_sha = "b2c3d4e5f60718293a4b5c6d7e8f901234567890";
  fixtures["pull_request.synchronize"] = sync;

  fixtures.push = normalize(pick(all, "push", (p) => p.ref === "refs/heads/master" && Array.isArray(p.commits) && p.commits.length > 0));

  const dispatch = normalize(pick(all, "workflow_dispatch", (p) => p.ref === "refs/heads/main"));
  // The documented example has no inputs; a dispatch of this project's workflows always has some.
  dispatch.inputs = { environment: "staging", dry_run: "false" };
  fixtures.workflow_dispatch = dispatch;

  const run = normalize(
    pick(all, "workflow_run", (p) => p.action === "completed" && ((p.workflow_run as Json).pull_requests as unknown[]).length > 0),
  );
  // This project's workflow_run consumers follow a pull request's CI run.
  const completed = run.workflow_run as Json;
  completed.event = "pull_request";
  // A pull request's run is on the PR head: keep head_branch/head_sha consistent with pull_requests[0].
  const head = ((completed.pull_requests as Json[])[0] as Json).head as Json;
  completed.head_branch = head.ref;
  completed.head_sha = head.sha;
  fixtures["workflow_run.completed"] = run;

  for (const [name, payload] of Object.entries(fixtures)) {
    const file = join(fixturesRoot, "events", `${name}.json`);
    writeFileSync(`${file}.tmp`, `${JSON.stringify(payload, null, 2)}\n`);
    renameSync(`${file}.tmp`, file);
    process.stderr.write(`wrote ${file}\n`);
  }
}

const [indexPath] = process.argv.slice(2);
if (!indexPath) {
  process.stderr.write("usage: node test/src/harness/generate-event-fixtures.ts <webhooks-examples>/api.github.com/index.json\n");
  process.exit(2);
}
main(resolve(indexPath));
