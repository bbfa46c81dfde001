// What each operation does to the in-memory state, keyed by operationId. Requests reaching a
// handler already matched the operation's path, query and body schemas.
import { randomBytes } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { getContent, putContent } from "./contents.ts";
import type { Viewer } from "./graphql.ts";
import { GitHubHttpError, notFound, type Reply, validationFailed } from "./http.ts";
import { paginate } from "./pagination.ts";
import { repoApiUrl, repository, type Site, timestamp, user } from "./shapes.ts";
import type { OperationSpec } from "./spec.ts";
import {
  type Artifact,
  artifactZip,
  type CheckRun,
  type CheckRunAnnotation,
  type Filler,
  fillState,
  type GitHubState,
  type GitRef,
  type Issue,
  type IssueComment,
  nextNumber,
  type PullRequest,
  publicView,
  resolveRef,
  type WorkflowRun,
} from "./state.ts";

type Open = Record<string, unknown>;

export interface HandlerContext {
  op: OperationSpec;
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: Open;
  state: GitHubState;
  filler: Filler;
  site: Site;
  requestUrl: URL;
  /** The request's headers (`accept` picks a media type). */
  headers: IncomingHttpHeaders;
  /** Marks the call unexpected: a request GitHub would answer but this server cannot (so the test fails). */
  unexpected: (reason: string) => void;
  /** One-time-looking signatures of artifact zip URLs handed out by download redirects. */
  blobs: Map<string, Uint8Array>;
}

export type Handler = (ctx: HandlerContext) => Reply;

// GitHub limits issue and comment bodies to 65536 characters (check-run summaries are limited in the schema).
const MAX_BODY = 65536;
// …and issue and pull request titles to 256.
const MAX_TITLE = 256;

function ok(ctx: HandlerContext, body: unknown, headers?: Record<string, string>): Reply {
  return { status: ctx.op.successStatus, body, ...(headers ? { headers } : {}) };
}

/** Answers with a newly stored item once the state filled in its GitHub fields (id, URLs, timestamps). */
function created(ctx: HandlerContext, item: Open, kind: keyof GitHubState): Reply {
  fillState(ctx.state, ctx.filler);
  return ok(ctx, publicView(item, kind));
}

function listed<T extends Open>(ctx: HandlerContext, items: T[], kind: keyof GitHubState, wrapper?: string): Reply {
  const page = paginate(items, ctx.query, ctx.requestUrl);
  const views = page.items.map((item) => publicView(item, kind));
  return ok(ctx, wrapper ? { total_count: items.length, [wrapper]: views } : views, page.headers);
}

function byIdDesc<T extends { id?: number }>(items: T[]): T[] {
  return [...items].sort((a, b) => (b.id ?? 0) - (a.id ?? 0));
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function bodyTooLong(ctx: HandlerContext, resource: string, body: unknown): void {
  if (typeof body === "string" && body.length > MAX_BODY)
    throw validationFailed(ctx.op.documentationUrl, [
      { resource, code: "unprocessable", field: "data", message: `Body is too long (maximum is ${MAX_BODY} characters)` },
    ]);
}

function titleTooLong(ctx: HandlerContext, resource: string, title: unknown): void {
  if (typeof title === "string" && title.length > MAX_TITLE)
    throw validationFailed(ctx.op.documentationUrl, [
      { resource, code: "custom", field: "title", message: `title is too long (maximum is ${MAX_TITLE} characters)` },
    ]);
}

/** A pull request as the issues API shows it: its issue fields plus a `pull_request` block. */
function pullAsIssue(ctx: HandlerContext, p: PullRequest): Open {
  const issue = `${repoApiUrl(ctx.site)}/issues/${p.number}`;
  return {
    ...p,
    url: issue,
    repository_url: repoApiUrl(ctx.site),
    labels_url: `${issue}/labels{/name}`,
    events_url: `${issue}/events`,
    pull_request: { url: p.url, html_url: p.html_url, diff_url: p.diff_url, patch_url: p.patch_url, merged_at: p.merged_at },
  };
}

function findIssue(ctx: HandlerContext): Issue {
  const number = Number(ctx.params.issue_number);
  const issue = ctx.state.issues.find((i) => i.number === number);
  if (issue) return issue;
  if (ctx.state.pulls.some((p) => p.number === number))
    ctx.unexpected(`${ctx.op.id}: changing a pull request through the issues API is not implemented by the test server`);
  throw notFound(ctx.op.documentationUrl);
}

function refView(ctx: HandlerContext, ref: GitRef): Open {
  const api = repoApiUrl(ctx.site);
  return {
    ref: ref.ref,
    node_id: Buffer.from(ref.ref).toString("base64url"),
    url: `${api}/git/${ref.ref}`,
    object: { sha: ref.sha, type: "commit", url: `${api}/git/commits/${ref.sha}` },
  };
}

/** Every commit sha the server knows: what refs point at, commits it made, and shas files are seeded at. */
function knownCommit(state: GitHubState, sha: string): boolean {
  const wanted = sha.toLowerCase();
  return (
    state.refs.some((r) => r.sha === wanted) ||
    state.commits.some((c) => c.sha === wanted || c.parents.includes(wanted)) ||
    state.files.some((f) => f.ref?.toLowerCase() === wanted)
  );
}

function issueExists(state: GitHubState, number: number): boolean {
  return state.issues.some((i) => i.number === number) || state.pulls.some((p) => p.number === number);
}

function findComment(ctx: HandlerContext): IssueComment {
  const comment = ctx.state.comments.find((c) => c.id === ctx.params.comment_id);
  if (!comment) throw notFound(ctx.op.documentationUrl);
  return comment;
}

function findCheckRun(ctx: HandlerContext): CheckRun {
  const run = ctx.state.checkRuns.find((r) => r.id === ctx.params.check_run_id);
  if (!run) throw notFound(ctx.op.documentationUrl);
  return run;
}

function applyCheckRunBody(ctx: HandlerContext, run: CheckRun, body: Open): void {
  for (const key of ["name", "details_url", "external_id", "started_at", "status", "conclusion", "completed_at"] as const)
    if (body[key] !== undefined) (run as Open)[key] = body[key];
  // Giving a conclusion completes the run, as GitHub documents.
  if (body.conclusion !== undefined) run.status = "completed";
  if (run.status === "completed") {
    if (run.conclusion === null || run.conclusion === undefined)
      throw validationFailed(ctx.op.documentationUrl, [
        { resource: "CheckRun", code: "missing_field", field: "conclusion", message: "conclusion is required when status is completed" },
      ]);
    run.completed_at ??= timestamp();
  }
  const output = body.output as Open | undefined;
  if (output) {
    const { annotations, images: _images, ...rest } = output;
    run.output = { ...(run.output ?? {}), ...rest };
    const blob = `https://github.com/${ctx.site.owner}/${ctx.site.repo}/blob/${run.head_sha}`;
    for (const a of (annotations as CheckRunAnnotation[] | undefined) ?? []) {
      run.annotations!.push({
        start_column: null,
        end_column: null,
        title: null,
        raw_details: null,
        ...a,
        blob_href: `${blob}/${a.path}`,
      });
    }
    run.output.annotations_count = run.annotations!.length;
  }
  // Check runs list the open pull requests whose head is the run's commit.
  run.pull_requests = ctx.state.pulls
    .filter((p) => p.state === "open" && p.head?.sha === run.head_sha)
    .map((p) => ({ id: p.id, number: p.number, url: p.url, head: p.head, base: p.base }));
}

function latestStatusPerContext(ctx: HandlerContext, sha: string): Open[] {
  const seen = new Set<string>();
  const latest: Open[] = [];
  for (const status of byIdDesc(ctx.state.statuses.filter((s) => s.sha === sha))) {
    if (seen.has(String(status.context))) continue;
    seen.add(String(status.context));
    latest.push(status);
  }
  return latest;
}

function runsMatching(ctx: HandlerContext, runs: WorkflowRun[]): WorkflowRun[] {
  const q = ctx.query;
  return byIdDesc(runs).filter(
    (run) =>
      (q.branch === undefined || run.head_branch === q.branch) &&
      (q.event === undefined || run.event === q.event) &&
      (q.status === undefined || run.status === q.status || run.conclusion === q.status) &&
      (q.head_sha === undefined || run.head_sha === q.head_sha) &&
      (q.actor === undefined || (run.actor as Open | undefined)?.login === q.actor) &&
      (q.check_suite_id === undefined || run.check_suite_id === q.check_suite_id),
  );
}

function workflowRunsReply(ctx: HandlerContext, runs: WorkflowRun[]): Reply {
  const page = paginate(runs, ctx.query, ctx.requestUrl);
  const views = page.items.map((run) => {
    const view = publicView(run, "workflowRuns");
    if (ctx.query.exclude_pull_requests === true) view.pull_requests = [];
    return view;
  });
  return ok(ctx, { total_count: runs.length, workflow_runs: views }, page.headers);
}

function artifactsReply(ctx: HandlerContext, artifacts: Artifact[]): Reply {
  const named = ctx.query.name === undefined ? artifacts : artifacts.filter((a) => a.name === ctx.query.name);
  const ordered = ctx.query.direction === "asc" ? [...named].sort((a, b) => (a.id ?? 0) - (b.id ?? 0)) : byIdDesc(named);
  return listed(ctx, ordered, "artifacts", "artifacts");
}

/** Who the token is: what `GET /user` and GraphQL's `viewer` answer. */
export function viewer(site: Site, filler: Filler): Viewer {
  return { login: filler.login, databaseId: user(site, filler.login).id as number };
}

export const handlers: Record<string, Handler> = {
  "rate-limit/get": (ctx) => {
    const reset = Math.floor(Date.now() / 1000) + 3600;
    const bucket = (limit: number) => ({ limit, used: 0, remaining: limit, reset });
    return ok(ctx, {
      resources: { core: bucket(5000), search: bucket(30), graphql: bucket(5000), integration_manifest: bucket(5000) },
      rate: bucket(5000),
    });
  },

  "users/get-authenticated": (ctx) =>
    ok(ctx, {
      ...user(ctx.site, ctx.filler.login),
      name: null,
      company: null,
      blog: "",
      location: null,
      email: null,
      hireable: null,
      bio: null,
      twitter_username: null,
      public_repos: 1,
      public_gists: 0,
      followers: 0,
      following: 0,
      created_at: "2024-01-02T03:04:05Z",
      updated_at: "2024-01-02T03:04:05Z",
    }),

  "repos/get": (ctx) => ok(ctx, repository(ctx.site, ctx.filler.defaultBranch)),

  "repos/get-content": (ctx) =>
    getContent({
      state: ctx.state,
      site: ctx.site,
      defaultBranch: ctx.filler.defaultBranch,
      documentationUrl: ctx.op.documentationUrl,
      path: String(ctx.params.path),
      ref: str(ctx.query.ref),
      accept: ctx.headers.accept,
      unexpected: ctx.unexpected,
    }),

  "git/get-ref": (ctx) => {
    const name = `refs/${String(ctx.params.ref)}`;
    const ref = ctx.state.refs.find((r) => r.ref === name);
    if (!ref) throw notFound(ctx.op.documentationUrl);
    return ok(ctx, refView(ctx, ref));
  },

  "git/create-ref": (ctx) => {
    const name = String(ctx.body.ref);
    const sha = String(ctx.body.sha).toLowerCase();
    if (!/^refs\/[^/]+\/.+/.test(name) || name.endsWith("/") || name.includes(".."))
      throw validationFailed(ctx.op.documentationUrl, [], `${name} is not a valid ref name.`);
    if (ctx.state.refs.some((r) => r.ref === name)) throw validationFailed(ctx.op.documentationUrl, [], "Reference already exists");
    if (!/^[0-9a-f]{40}$/.test(sha) || !knownCommit(ctx.state, sha))
      throw validationFailed(ctx.op.documentationUrl, [], "Object does not exist");
    const ref: GitRef = { ref: name, sha };
    ctx.state.refs.push(ref);
    return ok(ctx, refView(ctx, ref));
  },

  "repos/create-or-update-file-contents": (ctx) =>
    putContent({
      state: ctx.state,
      site: ctx.site,
      defaultBranch: ctx.filler.defaultBranch,
      documentationUrl: ctx.op.documentationUrl,
      login: ctx.filler.login,
      path: String(ctx.params.path),
      body: ctx.body,
    }),

  "repos/get-environment": (ctx) => {
    const env = ctx.state.environments.find((e) => e.name.toLowerCase() === String(ctx.params.environment_name).toLowerCase());
    if (!env) throw notFound(ctx.op.documentationUrl);
    return ok(ctx, publicView(env, "environments"));
  },

  // Issues and pull requests share one number space; GitHub lists pull requests among issues.
  "issues/create": (ctx) => {
    bodyTooLong(ctx, "Issue", ctx.body.body);
    titleTooLong(ctx, "Issue", ctx.body.title);
    const issue = {
      number: nextNumber(ctx.state),
      title: String(ctx.body.title),
      body: str(ctx.body.body) ?? null,
      labels: (ctx.body.labels as (string | Open)[] | undefined) ?? [],
      assignees: ((ctx.body.assignees as string[] | undefined) ?? []).map((login) => user(ctx.site, login)),
    };
    ctx.state.issues.push(issue);
    return created(ctx, issue, "issues");
  },

  "issues/list-for-repo": (ctx) => {
    const q = ctx.query;
    const wanted = str(q.labels)
      ?.split(",")
      .map((l) => l.trim())
      .filter(Boolean);
    const since = str(q.since) ? Date.parse(String(q.since)) : undefined;
    const asIssues: Open[] = [...ctx.state.issues, ...ctx.state.pulls.map((p) => pullAsIssue(ctx, p))];
    const state = q.state ?? "open";
    const sortKey = q.sort === "updated" ? "updated_at" : "created_at";
    const items = asIssues
      .filter(
        (i) =>
          (state === "all" || i.state === state) &&
          (!wanted || wanted.every((name) => (i.labels as Open[]).some((l) => l.name === name))) &&
          (q.creator === undefined || (i.user as Open).login === q.creator) &&
          (since === undefined || Date.parse(String(i.updated_at)) >= since),
      )
      .sort((a, b) => {
        const order = String(a[sortKey]).localeCompare(String(b[sortKey])) || Number(a.number) - Number(b.number);
        return q.direction === "asc" ? order : -order;
      });
    return listed(ctx, items, "issues");
  },

  "issues/get": (ctx) => {
    const number = Number(ctx.params.issue_number);
    const issue = ctx.state.issues.find((i) => i.number === number);
    if (issue) return ok(ctx, publicView(issue, "issues"));
    const pull = ctx.state.pulls.find((p) => p.number === number);
    if (pull) return ok(ctx, publicView(pullAsIssue(ctx, pull), "pulls"));
    throw notFound(ctx.op.documentationUrl);
  },

  // Title, body, state (with state_reason), labels and assignees, as GitHub applies them.
  "issues/update": (ctx) => {
    const issue = findIssue(ctx);
    const b = ctx.body;
    for (const key of ["assignee", "milestone", "type", "duplicate_issue_id", "issue_field_values"])
      if (b[key] !== undefined) ctx.unexpected(`issues/update: "${key}" is not implemented by the test server`);
    bodyTooLong(ctx, "Issue", b.body);
    titleTooLong(ctx, "Issue", b.title);
    if (b.title === null || b.title === "")
      throw validationFailed(ctx.op.documentationUrl, [{ resource: "Issue", code: "missing_field", field: "title" }]);
    if (b.title !== undefined) issue.title = String(b.title);
    if (b.body !== undefined) issue.body = str(b.body) ?? null;
    if (b.labels !== undefined) issue.labels = b.labels as (string | Open)[];
    if (b.assignees !== undefined)
      issue.assignees = (b.assignees as (string | Open)[]).map((a) => user(ctx.site, typeof a === "string" ? a : String(a.login)));
    const reason = b.state_reason as string | null | undefined;
    if (b.state === "closed" && issue.state !== "closed") {
      issue.state = "closed";
      issue.state_reason = reason ?? "completed";
      issue.closed_at = timestamp();
      issue.closed_by = user(ctx.site, ctx.filler.login);
    } else if (b.state === "open" && issue.state === "closed") {
      issue.state = "open";
      issue.state_reason = "reopened";
      issue.closed_at = null;
      issue.closed_by = null;
    } else if (reason !== undefined && issue.state === "closed") issue.state_reason = reason;
    issue.updated_at = timestamp();
    return ok(ctx, publicView(issue, "issues"));
  },

  "issues/create-comment": (ctx) => {
    const number = Number(ctx.params.issue_number);
    if (!issueExists(ctx.state, number)) throw notFound(ctx.op.documentationUrl);
    bodyTooLong(ctx, "IssueComment", ctx.body.body);
    const comment: IssueComment = { issue_number: number, body: String(ctx.body.body) };
    ctx.state.comments.push(comment);
    return created(ctx, comment, "comments");
  },

  "issues/list-comments": (ctx) => {
    const number = Number(ctx.params.issue_number);
    if (!issueExists(ctx.state, number)) throw notFound(ctx.op.documentationUrl);
    const since = str(ctx.query.since) ? Date.parse(String(ctx.query.since)) : undefined;
    const items = ctx.state.comments
      .filter((c) => c.issue_number === number && (since === undefined || Date.parse(String(c.updated_at)) >= since))
      .sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
    return listed(ctx, items, "comments");
  },

  "issues/get-comment": (ctx) => ok(ctx, publicView(findComment(ctx), "comments")),

  "issues/update-comment": (ctx) => {
    const comment = findComment(ctx);
    bodyTooLong(ctx, "IssueComment", ctx.body.body);
    comment.body = String(ctx.body.body);
    comment.updated_at = timestamp();
    return ok(ctx, publicView(comment, "comments"));
  },

  "issues/delete-comment": (ctx) => {
    const comment = findComment(ctx);
    ctx.state.comments.splice(ctx.state.comments.indexOf(comment), 1);
    return { status: 204 };
  },

  "pulls/get": (ctx) => {
    const pull = ctx.state.pulls.find((p) => p.number === ctx.params.pull_number);
    if (!pull) throw notFound(ctx.op.documentationUrl);
    return ok(ctx, publicView(pull, "pulls"));
  },

  "pulls/list": (ctx) => {
    const q = ctx.query;
    const state = q.state ?? "open";
    const head = str(q.head);
    const sortKey = q.sort === "updated" ? "updated_at" : "created_at";
    const items = ctx.state.pulls
      .filter(
        (p) =>
          (state === "all" || p.state === state) &&
          (q.base === undefined || p.base?.ref === q.base) &&
          (head === undefined || (head.includes(":") ? p.head?.label === head : p.head?.ref === head)),
      )
      .sort((a, b) => {
        const order = String(a[sortKey]).localeCompare(String(b[sortKey])) || a.number - b.number;
        return q.direction === "asc" ? order : -order;
      });
    return listed(ctx, items, "pulls");
  },

  // GitHub refuses a second open pull request for the same head and base, and one with nothing to merge.
  "pulls/create": (ctx) => {
    const b = ctx.body;
    if (b.issue !== undefined) ctx.unexpected("pulls/create: turning an issue into a pull request is not implemented by the test server");
    if (b.title === undefined && b.issue === undefined)
      throw validationFailed(ctx.op.documentationUrl, [{ resource: "PullRequest", code: "missing_field", field: "title" }]);
    titleTooLong(ctx, "PullRequest", b.title);
    bodyTooLong(ctx, "PullRequest", b.body);
    const rawHead = String(b.head);
    const [headOwner, headRef] = rawHead.includes(":") ? (rawHead.split(":", 2) as [string, string]) : [ctx.site.owner, rawHead];
    const base = String(b.base);
    const headSha = headOwner.toLowerCase() === ctx.site.owner.toLowerCase() ? resolveRef(ctx.state, `refs/heads/${headRef}`) : undefined;
    const baseSha = resolveRef(ctx.state, `refs/heads/${base}`);
    const invalid = [
      ...(baseSha === undefined ? [{ resource: "PullRequest", field: "base", code: "invalid" }] : []),
      ...(headSha === undefined ? [{ resource: "PullRequest", field: "head", code: "invalid" }] : []),
    ];
    if (invalid.length > 0) throw validationFailed(ctx.op.documentationUrl, invalid);
    const label = `${ctx.site.owner}:${headRef}`;
    if (ctx.state.pulls.some((p) => p.state === "open" && p.head?.label === label && p.base?.ref === base))
      throw validationFailed(ctx.op.documentationUrl, [
        { resource: "PullRequest", code: "custom", message: `A pull request already exists for ${label}.` },
      ]);
    if (headSha === baseSha)
      throw validationFailed(ctx.op.documentationUrl, [
        { resource: "PullRequest", code: "custom", message: `No commits between ${base} and ${headRef}` },
      ]);
    const pull: PullRequest = {
      number: nextNumber(ctx.state),
      state: "open",
      title: String(b.title),
      body: str(b.body) ?? null,
      draft: b.draft === true,
      maintainer_can_modify: b.maintainer_can_modify !== false,
      user: user(ctx.site, ctx.filler.login),
      author_association: "NONE",
      head: { ref: headRef, sha: headSha!, label },
      base: { ref: base, sha: baseSha!, label: `${ctx.site.owner}:${base}` },
    };
    ctx.state.pulls.push(pull);
    return created(ctx, pull, "pulls");
  },

  "checks/create": (ctx) => {
    const run: CheckRun = {
      name: String(ctx.body.name),
      head_sha: String(ctx.body.head_sha),
      status: "queued",
      conclusion: null,
      annotations: [],
    };
    ctx.state.checkRuns.push(run);
    try {
      applyCheckRunBody(ctx, run, ctx.body);
    } catch (error) {
      ctx.state.checkRuns.pop();
      throw error;
    }
    return created(ctx, run, "checkRuns");
  },

  "checks/update": (ctx) => {
    const run = findCheckRun(ctx);
    const before = structuredClone(run);
    try {
      applyCheckRunBody(ctx, run, ctx.body);
    } catch (error) {
      Object.assign(run, before);
      throw error;
    }
    return ok(ctx, publicView(run, "checkRuns"));
  },

  "checks/get": (ctx) => ok(ctx, publicView(findCheckRun(ctx), "checkRuns")),

  "checks/list-annotations": (ctx) => {
    const run = findCheckRun(ctx);
    const page = paginate(run.annotations ?? [], ctx.query, ctx.requestUrl);
    return ok(ctx, page.items, page.headers);
  },

  "checks/list-for-ref": (ctx) => {
    const ref = String(ctx.params.ref);
    const sha = resolveRef(ctx.state, ref) ?? ref;
    const q = ctx.query;
    let runs = byIdDesc(ctx.state.checkRuns.filter((r) => r.head_sha === sha));
    if (q.check_name !== undefined) runs = runs.filter((r) => r.name === q.check_name);
    if (q.status !== undefined) runs = runs.filter((r) => r.status === q.status);
    if (q.filter !== "all") {
      const seen = new Set<string>();
      runs = runs.filter((r) => !seen.has(r.name) && seen.add(r.name));
    }
    return listed(ctx, runs, "checkRuns", "check_runs");
  },

  "repos/create-deployment": (ctx) => {
    const ref = String(ctx.body.ref);
    const sha = resolveRef(ctx.state, ref);
    if (!sha) throw validationFailed(ctx.op.documentationUrl, [], `No ref found for: ${ref}`);
    const environment = str(ctx.body.environment) ?? "production";
    const deployment = {
      ref,
      sha,
      task: str(ctx.body.task) ?? "deploy",
      payload: ctx.body.payload ?? {},
      environment,
      description: str(ctx.body.description) ?? null,
      transient_environment: ctx.body.transient_environment === true,
      production_environment:
        typeof ctx.body.production_environment === "boolean" ? ctx.body.production_environment : environment === "production",
    };
    ctx.state.deployments.push(deployment);
    return created(ctx, deployment, "deployments");
  },

  "repos/list-deployments": (ctx) => {
    const q = ctx.query;
    const items = byIdDesc(ctx.state.deployments).filter(
      (d) =>
        (q.sha === undefined || d.sha === q.sha) &&
        (q.ref === undefined || d.ref === q.ref) &&
        (q.task === undefined || d.task === q.task) &&
        (q.environment === undefined || d.environment === q.environment),
    );
    return listed(ctx, items, "deployments");
  },

  "repos/create-deployment-status": (ctx) => {
    const deployment = ctx.state.deployments.find((d) => d.id === ctx.params.deployment_id);
    if (!deployment) throw notFound(ctx.op.documentationUrl);
    const b = ctx.body;
    if (str(b.environment)) deployment.environment = String(b.environment);
    const state = String(b.state);
    // As documented for auto_inactive: a success marks earlier successful deployments to the same
    // non-transient, non-production environment inactive.
    if (state === "success" && b.auto_inactive !== false) {
      for (const other of ctx.state.deployments) {
        if (other === deployment || (other.id ?? 0) > (deployment.id ?? 0) || other.environment !== deployment.environment) continue;
        if (other.transient_environment === true || other.production_environment === true) continue;
        const latest = byIdDesc(ctx.state.deploymentStatuses.filter((s) => s.deployment_id === other.id))[0];
        if (latest?.state === "success")
          ctx.state.deploymentStatuses.push({ deployment_id: other.id!, state: "inactive", environment: other.environment });
      }
    }
    const status = {
      deployment_id: deployment.id!,
      state,
      description: str(b.description) ?? "",
      environment: deployment.environment,
      target_url: str(b.target_url) ?? str(b.log_url) ?? "",
      log_url: str(b.log_url) ?? str(b.target_url) ?? "",
      environment_url: str(b.environment_url) ?? "",
    };
    ctx.state.deploymentStatuses.push(status);
    deployment.updated_at = timestamp();
    return created(ctx, status, "deploymentStatuses");
  },

  "repos/list-deployment-statuses": (ctx) => {
    const deployment = ctx.state.deployments.find((d) => d.id === ctx.params.deployment_id);
    if (!deployment) throw notFound(ctx.op.documentationUrl);
    return listed(ctx, byIdDesc(ctx.state.deploymentStatuses.filter((s) => s.deployment_id === deployment.id)), "deploymentStatuses");
  },

  "repos/create-commit-status": (ctx) => {
    const b = ctx.body;
    const status = {
      sha: String(ctx.params.sha),
      state: String(b.state),
      context: str(b.context) ?? "default",
      description: str(b.description) ?? null,
      target_url: str(b.target_url) ?? null,
    };
    ctx.state.statuses.push(status);
    return created(ctx, status, "statuses");
  },

  "repos/list-commit-statuses-for-ref": (ctx) => {
    const ref = String(ctx.params.ref);
    const sha = resolveRef(ctx.state, ref) ?? ref;
    return listed(ctx, byIdDesc(ctx.state.statuses.filter((s) => s.sha === sha)), "statuses");
  },

  "repos/get-combined-status-for-ref": (ctx) => {
    const ref = String(ctx.params.ref);
    const sha = resolveRef(ctx.state, ref) ?? ref;
    const latest = latestStatusPerContext(ctx, sha);
    const states = latest.map((s) => s.state);
    const state = states.some((s) => s === "error" || s === "failure")
      ? "failure"
      : states.length === 0 || states.includes("pending")
        ? "pending"
        : "success";
    const page = paginate(latest, ctx.query, ctx.requestUrl);
    const api = repoApiUrl(ctx.site);
    return ok(
      ctx,
      {
        state,
        statuses: page.items.map((s) => publicView(s, "statuses")),
        sha,
        total_count: latest.length,
        repository: repository(ctx.site, ctx.filler.defaultBranch),
        commit_url: `${api}/commits/${sha}`,
        url: `${api}/commits/${sha}/status`,
      },
      page.headers,
    );
  },

  "actions/list-workflow-runs-for-repo": (ctx) => workflowRunsReply(ctx, runsMatching(ctx, ctx.state.workflowRuns)),

  // A workflow is named by its numeric id or its file name, as on GitHub.
  "actions/list-workflow-runs": (ctx) => {
    const workflow = ctx.params.workflow_id;
    const ofWorkflow = ctx.state.workflowRuns.filter((run) =>
      typeof workflow === "number" ? run.workflow_id === workflow : String(run.path).split("/").pop() === workflow,
    );
    return workflowRunsReply(ctx, runsMatching(ctx, ofWorkflow));
  },

  "actions/get-workflow-run": (ctx) => {
    const run = ctx.state.workflowRuns.find((r) => r.id === ctx.params.run_id);
    if (!run) throw notFound(ctx.op.documentationUrl);
    const view = publicView(run, "workflowRuns");
    if (ctx.query.exclude_pull_requests === true) view.pull_requests = [];
    return ok(ctx, view);
  },

  // Reviews of the run's environment gates, in the order they were given (seeded in `state.approvals`).
  "actions/get-reviews-for-run": (ctx) => {
    if (!ctx.state.workflowRuns.some((r) => r.id === ctx.params.run_id)) throw notFound(ctx.op.documentationUrl);
    return ok(
      ctx,
      ctx.state.approvals.filter((a) => a.run_id === ctx.params.run_id).map((a) => publicView(a, "approvals")),
    );
  },

  "actions/list-workflow-run-artifacts": (ctx) =>
    artifactsReply(
      ctx,
      ctx.state.artifacts.filter((a) => a.workflow_run?.id === ctx.params.run_id),
    ),

  "actions/list-artifacts-for-repo": (ctx) => artifactsReply(ctx, ctx.state.artifacts),

  "actions/get-artifact": (ctx) => {
    const artifact = ctx.state.artifacts.find((a) => a.id === ctx.params.artifact_id);
    if (!artifact) throw notFound(ctx.op.documentationUrl);
    return ok(ctx, publicView(artifact, "artifacts"));
  },

  // GitHub answers with a redirect to a short-lived signed blob URL; the blob host needs no token.
  "actions/download-artifact": (ctx) => {
    const artifact = ctx.state.artifacts.find((a) => a.id === ctx.params.artifact_id);
    if (!artifact || ctx.params.archive_format !== "zip") throw notFound(ctx.op.documentationUrl);
    if (artifact.expired) throw new GitHubHttpError(410, "Artifact has expired", ctx.op.documentationUrl);
    const signature = randomBytes(12).toString("hex");
    ctx.blobs.set(signature, artifactZip(artifact));
    const location = new URL(`/_blobs/artifacts/${artifact.id}.zip?sig=${signature}`, ctx.requestUrl).toString();
    return { status: 302, headers: { location } };
  },
};
