// In-memory repository state. Tests seed it by pushing partial objects into the arrays; before each
// request every entry is filled in place with GitHub's remaining fields (ids, URLs, timestamps), so
// a seed needs only what the test cares about. Fields marked "internal" are the server's own
// bookkeeping and never appear in responses.
import { zipSync } from "fflate";
import { fakeSha, minimalRepository, nodeId, repoApiUrl, repoHtmlUrl, type Site, timestamp, user } from "./shapes.ts";

type Open = Record<string, unknown>;

export interface IssueComment extends Open {
  /** internal: the issue or pull request the comment is on. */
  issue_number: number;
  body: string;
  id?: number;
  user?: Open;
  created_at?: string;
  updated_at?: string;
}

export interface Issue extends Open {
  number?: number;
  title: string;
  body?: string | null;
  state?: "open" | "closed";
  state_reason?: string | null;
  labels?: (string | Open)[];
  /** The author: a login (filled in to GitHub's user object) or the object; default the token's login. */
  user?: string | Open;
  id?: number;
}

export interface PullRequest extends Open {
  number: number;
  state?: "open" | "closed";
  title?: string;
  head?: { ref?: string; sha?: string; label?: string } & Open;
  base?: { ref?: string; sha?: string; label?: string } & Open;
  id?: number;
}

export interface CheckRunAnnotation extends Open {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: string;
  message: string;
}

export interface CheckRun extends Open {
  name: string;
  head_sha: string;
  id?: number;
  status?: string;
  conclusion?: string | null;
  output?: Open;
  /** internal: every annotation sent, across create and updates. */
  annotations?: CheckRunAnnotation[];
}

export interface Deployment extends Open {
  ref: string;
  sha?: string;
  environment?: string;
  id?: number;
  task?: string;
  payload?: unknown;
}

export interface DeploymentStatus extends Open {
  /** internal: the deployment the status belongs to. */
  deployment_id: number;
  state: string;
  id?: number;
  environment?: string;
}

export interface CommitStatus extends Open {
  /** internal: the commit the status is on. */
  sha: string;
  state: string;
  context?: string;
  id?: number;
}

export interface WorkflowRun extends Open {
  id?: number;
  name?: string;
  head_branch?: string;
  head_sha?: string;
  path?: string;
  workflow_id?: number;
  event?: string;
  status?: string;
  conclusion?: string | null;
}

export interface Artifact extends Open {
  name: string;
  id?: number;
  workflow_run?: { id?: number } & Open;
  expired?: boolean;
  /** internal: files of the artifact's zip (path → content). */
  files?: Record<string, string | Uint8Array>;
  /** internal: the zip itself, when a test wants exact bytes. */
  zip?: Uint8Array;
}

export interface Environment extends Open {
  name: string;
  id?: number;
  protection_rules?: Open[];
}

/**
 * A review of a workflow run's environment gate (`GET …/actions/runs/{run_id}/approvals`), seeded
 * by a test: `{ run_id: 41, state: "approved", user: "alice", comment: "ship it", environments: ["production"] }`.
 */
export interface Approval extends Open {
  /** internal: the workflow run the review belongs to (the run must be in `workflowRuns`). */
  run_id: number;
  state: "approved" | "rejected" | "pending";
  comment?: string;
  /** The reviewer: a login (filled in to GitHub's user object) or the object. */
  user?: string | Open;
  /** Environment names (filled in to GitHub's environment objects) or the objects. */
  environments?: (string | Open)[];
}

/**
 * A commit the server made (`repos/create-or-update-file-contents`), for tests to look at: the
 * branch's ref moves to `sha`, and the tree it sees is the parent's with `path` replaced.
 */
export interface GitCommit extends Open {
  sha: string;
  parents: string[];
  tree: string;
  branch: string;
  path: string;
  message: string;
  author: { name: string; email: string; date: string };
  committer: { name: string; email: string; date: string };
}

export interface GitRef extends Open {
  /** Full name, e.g. `refs/heads/main`. */
  ref: string;
  sha: string;
}

/**
 * A file of the repository at a ref, for `GET /repos/{owner}/{repo}/contents/{path}`. Directories
 * are implied by the files' paths. Seeded like everything else, by pushing:
 * `server.state.files.push({ path: "models/registry.yaml", content: "..." })` (at the default branch),
 * `{ ref: "feature", path, content }` (at another branch, tag or commit). The same path seeded again
 * at the same ref replaces the earlier entry (the last one wins).
 */
export interface RepoFile extends Open {
  /** Path in the repository, e.g. `models/registry.yaml` (leading and trailing slashes ignored). */
  path: string;
  /** UTF-8 text, or exact bytes. */
  content: string | Uint8Array;
  /**
   * A branch or tag name, a full ref (`refs/heads/x`) or a commit sha (default: the default branch).
   * A request's `ref` sees the file when it names the same branch/tag or resolves (through `refs`)
   * to the same commit.
   */
  ref?: string;
}

export interface GitHubState {
  comments: IssueComment[];
  issues: Issue[];
  pulls: PullRequest[];
  checkRuns: CheckRun[];
  deployments: Deployment[];
  deploymentStatuses: DeploymentStatus[];
  statuses: CommitStatus[];
  workflowRuns: WorkflowRun[];
  artifacts: Artifact[];
  environments: Environment[];
  refs: GitRef[];
  files: RepoFile[];
  approvals: Approval[];
  commits: GitCommit[];
}

export const INTERNAL_FIELDS: Record<keyof GitHubState, string[]> = {
  comments: ["issue_number"],
  issues: [],
  pulls: [],
  checkRuns: ["annotations"],
  deployments: [],
  deploymentStatuses: ["deployment_id"],
  statuses: ["sha"],
  workflowRuns: [],
  artifacts: ["files", "zip"],
  environments: [],
  refs: [],
  files: [],
  approvals: ["run_id"],
  commits: [],
};

export function publicView<T extends Open>(item: T, kind: keyof GitHubState): Open {
  const out: Open = { ...item };
  for (const key of INTERNAL_FIELDS[kind]) delete out[key];
  return out;
}

export function createState(defaultBranch: string): GitHubState {
  return {
    comments: [],
    issues: [],
    pulls: [],
    checkRuns: [],
    deployments: [],
    deploymentStatuses: [],
    statuses: [],
    workflowRuns: [],
    artifacts: [],
    environments: [],
    refs: [{ ref: `refs/heads/${defaultBranch}`, sha: fakeSha(defaultBranch) }],
    files: [],
    approvals: [],
    commits: [],
  };
}

/** A branch, tag, full ref or sha, as GitHub resolves `ref` arguments; undefined when nothing matches. */
export function resolveRef(state: GitHubState, ref: string): string | undefined {
  if (/^[0-9a-f]{40}$/i.test(ref)) return ref.toLowerCase();
  const candidates = ref.startsWith("refs/") ? [ref] : [`refs/heads/${ref}`, `refs/tags/${ref}`];
  for (const name of candidates) {
    const found = state.refs.find((r) => r.ref === name);
    if (found) return found.sha;
  }
  return undefined;
}

/** Hands out ids above every id already present, so seeds with explicit ids never collide. */
export class Ids {
  private last = 1000;
  next(): number {
    return ++this.last;
  }
  see(id: unknown): void {
    if (typeof id === "number" && id > this.last) this.last = id;
  }
}

function fill(target: Open, defaults: Open): void {
  for (const [key, value] of Object.entries(defaults)) if (target[key] === undefined) target[key] = value;
}

export interface Filler {
  site: Site;
  ids: Ids;
  login: string;
  defaultBranch: string;
}

function label(f: Filler, value: string | Open): Open {
  const name = typeof value === "string" ? value : String(value.name ?? "");
  const id = typeof value === "object" && typeof value.id === "number" ? value.id : Number.parseInt(fakeSha(name).slice(0, 7), 16);
  return {
    id,
    node_id: nodeId("LA", id),
    url: `${repoApiUrl(f.site)}/labels/${encodeURIComponent(name)}`,
    name,
    color: typeof value === "object" && typeof value.color === "string" ? value.color : "ededed",
    default: false,
    description: null,
  };
}

function issueLike(f: Filler, item: Open, number: number, isPull: boolean): Open {
  const api = repoApiUrl(f.site);
  const now = timestamp();
  return {
    url: `${api}/issues/${number}`,
    repository_url: api,
    labels_url: `${api}/issues/${number}/labels{/name}`,
    comments_url: `${api}/issues/${number}/comments`,
    events_url: `${api}/issues/${number}/events`,
    html_url: `${repoHtmlUrl(f.site)}/${isPull ? "pull" : "issues"}/${number}`,
    number,
    state: "open",
    state_reason: null,
    title: "",
    body: null,
    user: user(f.site, f.login),
    labels: [],
    assignee: null,
    assignees: [],
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments: 0,
    closed_at: null,
    created_at: now,
    updated_at: now,
    author_association: "NONE",
    ...(item.id === undefined ? { id: f.ids.next() } : {}),
  };
}

export function fillState(state: GitHubState, f: Filler): void {
  const site = f.site;
  const api = repoApiUrl(site);
  const html = repoHtmlUrl(site);
  for (const list of Object.values(state) as Open[][]) for (const item of list) f.ids.see(item.id);

  for (const issue of state.issues) {
    if (issue.number === undefined) issue.number = nextNumber(state);
    fill(issue, issueLike(f, issue, issue.number, false));
    issue.node_id ??= nodeId("I", issue.id!);
    issue.labels = (issue.labels ?? []).map((l) => label(f, l));
    if (typeof issue.user === "string") issue.user = user(site, issue.user);
  }
  for (const pull of state.pulls) {
    const n = pull.number;
    const now = timestamp();
    fill(pull, { id: f.ids.next(), title: `Pull request #${n}`, body: null, state: "open" });
    pull.node_id ??= nodeId("PR", pull.id!);
    const side = (part: Open | undefined, ref: string): Open => {
      const out: Open = { ...(part ?? {}) };
      fill(out, { ref, sha: fakeSha(`${ref}:${n}`), user: user(site, site.owner), repo: minimalRepository(site) });
      out.label ??= `${site.owner}:${String(out.ref)}`;
      return out;
    };
    pull.labels = ((pull.labels as (string | Open)[] | undefined) ?? []).map((l) => label(f, l));
    pull.head = side(pull.head, `feature-${n}`);
    pull.base = side(pull.base, f.defaultBranch);
    const link = (href: string) => ({ href });
    fill(pull, {
      url: `${api}/pulls/${n}`,
      html_url: `${html}/pull/${n}`,
      diff_url: `${html}/pull/${n}.diff`,
      patch_url: `${html}/pull/${n}.patch`,
      issue_url: `${api}/issues/${n}`,
      commits_url: `${api}/pulls/${n}/commits`,
      review_comments_url: `${api}/pulls/${n}/comments`,
      review_comment_url: `${api}/pulls/comments{/number}`,
      comments_url: `${api}/issues/${n}/comments`,
      statuses_url: `${api}/statuses/${String(pull.head.sha)}`,
      locked: false,
      user: user(site, site.owner),
      milestone: null,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      draft: false,
      created_at: now,
      updated_at: now,
      closed_at: null,
      merged_at: null,
      merge_commit_sha: null,
      author_association: "OWNER",
      auto_merge: null,
      active_lock_reason: null,
      merged: false,
      mergeable: true,
      rebaseable: true,
      mergeable_state: "clean",
      merged_by: null,
      comments: 0,
      review_comments: 0,
      maintainer_can_modify: false,
      commits: 1,
      additions: 1,
      deletions: 0,
      changed_files: 1,
      _links: {
        self: link(`${api}/pulls/${n}`),
        html: link(`${html}/pull/${n}`),
        issue: link(`${api}/issues/${n}`),
        comments: link(`${api}/issues/${n}/comments`),
        review_comments: link(`${api}/pulls/${n}/comments`),
        review_comment: link(`${api}/pulls/comments{/number}`),
        commits: link(`${api}/pulls/${n}/commits`),
        statuses: link(`${api}/statuses/${String(pull.head.sha)}`),
      },
    });
  }
  for (const comment of state.comments) {
    const now = timestamp();
    fill(comment, { id: f.ids.next(), user: user(site, f.login), created_at: now });
    const isPull = state.pulls.some((p) => p.number === comment.issue_number);
    fill(comment, {
      node_id: nodeId("IC", comment.id!),
      url: `${api}/issues/comments/${comment.id}`,
      html_url: `${html}/${isPull ? "pull" : "issues"}/${comment.issue_number}#issuecomment-${comment.id}`,
      issue_url: `${api}/issues/${comment.issue_number}`,
      updated_at: comment.created_at,
      author_association: "NONE",
      performed_via_github_app: null,
      reactions: reactions(`${api}/issues/comments/${comment.id}/reactions`),
    });
  }
  for (const run of state.checkRuns) {
    const now = timestamp();
    fill(run, { id: f.ids.next(), status: "queued", conclusion: null, annotations: [] });
    run.output = {
      title: null,
      summary: null,
      text: null,
      ...(run.output ?? {}),
      annotations_count: run.annotations!.length,
      annotations_url: `${api}/check-runs/${run.id}/annotations`,
    };
    fill(run, {
      node_id: nodeId("CR", run.id!),
      external_id: "",
      url: `${api}/check-runs/${run.id}`,
      html_url: `${html}/runs/${run.id}`,
      details_url: `${html}/runs/${run.id}`,
      started_at: now,
      completed_at: run.status === "completed" ? now : null,
      check_suite: { id: 5_000_000 + run.id! },
      app: githubActionsApp(f),
      pull_requests: [],
    });
  }
  for (const deployment of state.deployments) {
    const now = timestamp();
    fill(deployment, { id: f.ids.next(), sha: fakeSha(deployment.ref), task: "deploy", payload: {}, environment: "production" });
    fill(deployment, {
      node_id: nodeId("DE", deployment.id!),
      url: `${api}/deployments/${deployment.id}`,
      original_environment: deployment.environment,
      description: null,
      creator: user(site, f.login),
      created_at: now,
      updated_at: now,
      statuses_url: `${api}/deployments/${deployment.id}/statuses`,
      repository_url: api,
      transient_environment: false,
      production_environment: deployment.environment === "production",
      performed_via_github_app: null,
    });
  }
  for (const status of state.deploymentStatuses) {
    const now = timestamp();
    const deployment = state.deployments.find((d) => d.id === status.deployment_id);
    fill(status, { id: f.ids.next(), environment: deployment?.environment ?? "production" });
    fill(status, {
      node_id: nodeId("DES", status.id!),
      url: `${api}/deployments/${status.deployment_id}/statuses/${status.id}`,
      creator: user(site, f.login),
      description: "",
      target_url: "",
      log_url: "",
      environment_url: "",
      created_at: now,
      updated_at: now,
      deployment_url: `${api}/deployments/${status.deployment_id}`,
      repository_url: api,
      performed_via_github_app: null,
    });
  }
  for (const status of state.statuses) {
    const now = timestamp();
    fill(status, { id: f.ids.next(), context: "default" });
    fill(status, {
      node_id: nodeId("SC", status.id!),
      url: `${api}/statuses/${status.sha}`,
      avatar_url: "https://avatars.githubusercontent.com/in/15368?v=4",
      description: null,
      target_url: null,
      created_at: now,
      updated_at: now,
      creator: user(site, f.login),
    });
  }
  for (const run of state.workflowRuns) fillWorkflowRun(run, f);
  for (const artifact of state.artifacts) {
    const now = new Date();
    fill(artifact, { id: f.ids.next(), expired: false });
    const runId = artifact.workflow_run?.id;
    const run = state.workflowRuns.find((r) => r.id === runId);
    fill(artifact, {
      node_id: nodeId("MDg6QXJ0aWZhY3Q", artifact.id!),
      url: `${api}/actions/artifacts/${artifact.id}`,
      archive_download_url: `${api}/actions/artifacts/${artifact.id}/zip`,
      created_at: timestamp(now),
      updated_at: timestamp(now),
      expires_at: timestamp(new Date(now.getTime() + 90 * 86_400_000)),
      digest: null,
    });
    artifact.size_in_bytes ??= artifactZip(artifact).length;
    (artifact as Open).workflow_run = {
      id: runId ?? null,
      repository_id: site.repoId,
      head_repository_id: site.repoId,
      head_branch: run?.head_branch ?? f.defaultBranch,
      head_sha: run?.head_sha ?? fakeSha(f.defaultBranch),
      ...(artifact.workflow_run ?? {}),
    };
  }
  for (const env of state.environments) {
    const now = timestamp();
    fill(env, { id: f.ids.next() });
    fill(env, {
      node_id: nodeId("EN", env.id!),
      url: `${api}/environments/${encodeURIComponent(env.name)}`,
      html_url: `${html}/deployments/activity_log?environments_filter=${encodeURIComponent(env.name)}`,
      created_at: now,
      updated_at: now,
      can_admins_bypass: true,
      protection_rules: [],
      deployment_branch_policy: null,
    });
  }
  for (const approval of state.approvals) {
    fill(approval, { comment: "", user: site.owner, environments: [] });
    if (typeof approval.user === "string") approval.user = user(site, approval.user);
    approval.environments = (approval.environments ?? []).map((env) => environmentSummary(f, state, env));
  }
}

/** The short environment form embedded in approvals: a seeded environment's fields when there is one. */
function environmentSummary(f: Filler, state: GitHubState, value: string | Open): Open {
  const name = typeof value === "string" ? value : String(value.name ?? "");
  const seeded = state.environments.find((e) => e.name.toLowerCase() === name.toLowerCase());
  const id = seeded?.id ?? (typeof value === "object" && typeof value.id === "number" ? value.id : f.ids.next());
  const api = repoApiUrl(f.site);
  const now = timestamp();
  const out: Open = typeof value === "object" ? { ...value } : {};
  fill(out, {
    id,
    node_id: nodeId("EN", id),
    name: seeded?.name ?? name,
    url: `${api}/environments/${encodeURIComponent(name)}`,
    html_url: `${repoHtmlUrl(f.site)}/deployments/activity_log?environments_filter=${encodeURIComponent(name)}`,
    created_at: seeded?.created_at ?? now,
    updated_at: seeded?.updated_at ?? now,
  });
  return out;
}

export function artifactZip(artifact: Artifact): Uint8Array {
  if (artifact.zip) return artifact.zip;
  const files = Object.fromEntries(
    Object.entries(artifact.files ?? {}).map(([name, content]) => [
      name,
      typeof content === "string" ? new TextEncoder().encode(content) : content,
    ]),
  );
  return zipSync(files);
}

export function nextNumber(state: GitHubState): number {
  return Math.max(0, ...state.issues.map((i) => i.number ?? 0), ...state.pulls.map((p) => p.number)) + 1;
}

function reactions(url: string): Open {
  return { url, total_count: 0, "+1": 0, "-1": 0, laugh: 0, hooray: 0, confused: 0, heart: 0, rocket: 0, eyes: 0 };
}

function githubActionsApp(f: Filler): Open {
  return {
    id: 15368,
    client_id: "Iv1.05c79e9ad1f6bdfa",
    slug: "github-actions",
    node_id: "MDM6QXBwMTUzNjg=",
    owner: user(f.site, "github"),
    name: "GitHub Actions",
    description: "Automate your workflow from idea to production",
    external_url: "https://help.github.com/en/actions",
    html_url: `${f.site.html}/apps/github-actions`,
    created_at: "2018-07-30T09:30:17Z",
    updated_at: "2024-04-10T20:33:16Z",
    permissions: { checks: "write", contents: "write", deployments: "write", issues: "write", pull_requests: "write", statuses: "write" },
    events: ["check_run", "check_suite", "deployment", "pull_request", "push", "workflow_dispatch"],
  };
}

function fillWorkflowRun(run: WorkflowRun, f: Filler): void {
  const site = f.site;
  const api = repoApiUrl(site);
  const now = timestamp();
  fill(run, {
    id: f.ids.next(),
    name: "CI",
    head_branch: f.defaultBranch,
    path: ".github/workflows/ci.yml",
    event: "push",
    status: "completed",
    conclusion: "success",
    run_attempt: 1,
  });
  fill(run, {
    head_sha: fakeSha(`${run.head_branch}:${run.id}`),
    workflow_id: 9_000_000 + (Number.parseInt(fakeSha(run.path!).slice(0, 5), 16) % 100_000),
    run_number: run.id,
    display_title: run.name,
    created_at: now,
    updated_at: now,
  });
  const id = run.id!;
  fill(run, {
    node_id: nodeId("WFR", id),
    check_suite_id: 7_000_000 + id,
    check_suite_node_id: nodeId("CS", 7_000_000 + id),
    url: `${api}/actions/runs/${id}`,
    html_url: `${repoHtmlUrl(site)}/actions/runs/${id}`,
    pull_requests: [],
    actor: user(site, site.owner),
    triggering_actor: user(site, site.owner),
    run_started_at: run.created_at,
    jobs_url: `${api}/actions/runs/${id}/jobs`,
    logs_url: `${api}/actions/runs/${id}/logs`,
    check_suite_url: `${api}/check-suites/${7_000_000 + id}`,
    artifacts_url: `${api}/actions/runs/${id}/artifacts`,
    cancel_url: `${api}/actions/runs/${id}/cancel`,
    rerun_url: `${api}/actions/runs/${id}/rerun`,
    previous_attempt_url: null,
    workflow_url: `${api}/actions/workflows/${run.workflow_id}`,
    head_commit: {
      id: run.head_sha,
      tree_id: fakeSha(`tree:${run.head_sha}`),
      message: "commit",
      timestamp: run.created_at,
      author: { name: site.owner, email: `${site.owner}@example.com` },
      committer: { name: site.owner, email: `${site.owner}@example.com` },
    },
    repository: minimalRepository(site),
    head_repository: minimalRepository(site),
  });
}
