// Event payloads (GITHUB_EVENT_PATH) and the GITHUB_* context variables the runner derives from them.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fixturesRoot } from "./paths.ts";

export type EventName = "push" | "pull_request" | "workflow_dispatch" | "workflow_run";
export type Payload = Record<string, unknown>;

/** The repository every event fixture names (see generate-event-fixtures.ts). */
export const DEFAULT_REPOSITORY = "octo-org/octo-repo";
const DEFAULT_ACTION: Partial<Record<EventName, string>> = { pull_request: "opened", workflow_run: "completed" };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Objects merge key by key; arrays and scalars replace. */
export function deepMerge(base: Payload, override: Payload): Payload {
  const out: Payload = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

/** Loads `<event>.<action>.json` (or `<event>.json`); the action comes from the override or the event's default. */
export function loadEventFixture(event: EventName, action?: string): Payload {
  const chosen = action ?? DEFAULT_ACTION[event];
  // An action without its own fixture (pull_request "labeled") reuses the event's default payload.
  const fallback = DEFAULT_ACTION[event];
  const candidates = [chosen && `${event}.${chosen}.json`, fallback && `${event}.${fallback}.json`, `${event}.json`].filter(
    (c): c is string => Boolean(c),
  );
  for (const name of candidates) {
    const file = join(fixturesRoot, "events", name);
    if (existsSync(file)) {
      const payload = JSON.parse(readFileSync(file, "utf8")) as Payload;
      if (chosen && "action" in payload) payload.action = chosen;
      return payload;
    }
  }
  throw new Error(`no event fixture for ${event}${chosen ? ` (action ${chosen})` : ""} in ${join(fixturesRoot, "events")}`);
}

/** Moves a payload from the fixtures' repository to `owner/name`, keeping every URL and owner field consistent. */
export function retargetRepository(payload: Payload, fullName: string): Payload {
  const [owner, name] = fullName.split("/");
  if (!owner || !name || fullName.split("/").length !== 2) throw new Error(`repository: expected "owner/name", got "${fullName}"`);
  const [fromOwner, fromName] = DEFAULT_REPOSITORY.split("/") as [string, string];
  const visit = (value: unknown, key?: string): unknown => {
    if (typeof value === "string") {
      if (value === DEFAULT_REPOSITORY) return fullName;
      if (key === "login" && value === fromOwner) return owner;
      if (key === "name" && value === fromName) return name;
      return value
        .replaceAll(`/${DEFAULT_REPOSITORY}`, `/${fullName}`)
        .replaceAll(`:${DEFAULT_REPOSITORY}.git`, `:${fullName}.git`)
        .replaceAll(`/users/${fromOwner}`, `/users/${owner}`);
    }
    if (Array.isArray(value)) return value.map((v) => visit(v));
    if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, visit(v, k)]));
    return value;
  };
  return visit(payload) as Payload;
}

function get(payload: Payload, path: string): unknown {
  let value: unknown = payload;
  for (const key of path.split(".")) value = isPlainObject(value) ? value[key] : undefined;
  return value;
}

function text(payload: Payload, path: string, fallback = ""): string {
  const value = get(payload, path);
  return typeof value === "string" || typeof value === "number" ? String(value) : fallback;
}

function refName(ref: string): string {
  return ref.replace(/^refs\/(heads|tags)\//, "").replace(/^refs\/pull\//, "");
}

export type RunIds = { runId: string; runNumber: string; runAttempt: string };

/**
 * GITHUB_API_URL when a test gives none, so a request a test did not point at a local server fails
 * at once and never reaches api.github.com: fetch (octokit) refuses port 9 outright ("bad port") and
 * other clients find nothing listening on 127.0.0.1:9 (ECONNREFUSED). GITHUB_GRAPHQL_URL hangs off
 * it the same way. GITHUB_SERVER_URL stays https://github.com: it only builds links (run URLs) here,
 * and @actions/artifact and @actions/cache take any other host for GitHub Enterprise Server.
 */
export const UNROUTABLE_API_URL = "http://127.0.0.1:9";

/**
 * The GITHUB_* variables for `event`, derived from the payload as the runner does: for a pull
 * request GITHUB_SHA/GITHUB_REF are the test merge commit and refs/pull/<n>/merge.
 */
export function contextVariables(event: EventName, payload: Payload, ids: RunIds): Record<string, string> {
  const repository = text(payload, "repository.full_name", DEFAULT_REPOSITORY);
  const owner = text(payload, "repository.owner.login", repository.split("/")[0]);
  const defaultBranch = text(payload, "repository.default_branch", "main");
  let sha = "";
  let ref = "";
  const vars: Record<string, string> = {};
  switch (event) {
    case "pull_request": {
      const number = text(payload, "number", text(payload, "pull_request.number"));
      sha = text(payload, "pull_request.merge_commit_sha", text(payload, "pull_request.head.sha"));
      ref = `refs/pull/${number}/merge`;
      vars.GITHUB_HEAD_REF = text(payload, "pull_request.head.ref");
      vars.GITHUB_BASE_REF = text(payload, "pull_request.base.ref");
      break;
    }
    case "push":
      sha = text(payload, "after");
      ref = text(payload, "ref");
      break;
    case "workflow_dispatch":
      ref = text(payload, "ref", `refs/heads/${defaultBranch}`);
      // The dispatch payload names only the ref; the run's commit is that ref's head.
      sha = text(payload, "sha", "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c");
      break;
    case "workflow_run":
      // workflow_run runs on the default branch, not on the completed run's head.
      ref = `refs/heads/${defaultBranch}`;
      sha = text(payload, "sha", "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c");
      break;
  }
  const actor = text(payload, "sender.login", owner);
  return {
    GITHUB_EVENT_NAME: event,
    GITHUB_REPOSITORY: repository,
    GITHUB_REPOSITORY_OWNER: owner,
    GITHUB_REPOSITORY_ID: text(payload, "repository.id", "1"),
    GITHUB_REPOSITORY_OWNER_ID: text(payload, "repository.owner.id", "1"),
    GITHUB_SHA: sha,
    GITHUB_REF: ref,
    GITHUB_REF_NAME: refName(ref),
    GITHUB_REF_TYPE: ref.startsWith("refs/tags/") ? "tag" : "branch",
    GITHUB_REF_PROTECTED: "false",
    GITHUB_HEAD_REF: "",
    GITHUB_BASE_REF: "",
    ...vars,
    GITHUB_ACTOR: actor,
    GITHUB_ACTOR_ID: text(payload, "sender.id", "1"),
    GITHUB_TRIGGERING_ACTOR: actor,
    GITHUB_RUN_ID: ids.runId,
    GITHUB_RUN_NUMBER: ids.runNumber,
    GITHUB_RUN_ATTEMPT: ids.runAttempt,
    GITHUB_WORKFLOW: "CI",
    GITHUB_WORKFLOW_REF: `${repository}/.github/workflows/ci.yml@${ref}`,
    GITHUB_WORKFLOW_SHA: sha,
    GITHUB_JOB: "test",
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_API_URL: UNROUTABLE_API_URL,
    GITHUB_GRAPHQL_URL: `${UNROUTABLE_API_URL}/graphql`,
    GITHUB_RETENTION_DAYS: "90",
  };
}
