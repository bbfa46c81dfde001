// Building blocks of GitHub's response objects (users, the repository, URLs, ids, timestamps).
import { createHash } from "node:crypto";

export interface Site {
  /** The test server's base URL, standing in for https://api.github.com. */
  api: string;
  /** Where html_url links point (https://github.com unless told otherwise). */
  html: string;
  owner: string;
  repo: string;
  repoId: number;
}

/** GitHub's timestamp form: ISO 8601 in UTC without milliseconds. */
export function timestamp(date: Date = new Date()): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

export function nodeId(kind: string, id: number): string {
  return `${kind}_${Buffer.from(`0:${id}`).toString("base64url")}`;
}

/** A stable fake 40-hex commit sha for a name (the default branch head, seeded refs). */
export function fakeSha(seed: string): string {
  return createHash("sha1").update(seed).digest("hex");
}

export const ACTIONS_BOT = { login: "github-actions[bot]", id: 41898282 };

function userId(login: string): number {
  if (login === ACTIONS_BOT.login) return ACTIONS_BOT.id;
  return 1_000_000 + (createHash("sha1").update(login).digest().readUInt32BE(0) % 9_000_000);
}

export function user(site: Site, login: string): Record<string, unknown> {
  const id = userId(login);
  const bot = login.endsWith("[bot]");
  const url = `${site.api}/users/${encodeURIComponent(login)}`;
  return {
    login,
    id,
    node_id: nodeId(bot ? "BOT" : "U", id),
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: "",
    url,
    html_url: bot ? `${site.html}/apps/${login.replace(/\[bot\]$/, "")}` : `${site.html}/${login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: bot ? "Bot" : "User",
    user_view_type: "public",
    site_admin: false,
  };
}

export function repoApiUrl(site: Site): string {
  return `${site.api}/repos/${site.owner}/${site.repo}`;
}

export function repoHtmlUrl(site: Site): string {
  return `${site.html}/${site.owner}/${site.repo}`;
}

const CREATED = "2024-01-02T03:04:05Z";

export function repository(site: Site, defaultBranch: string): Record<string, unknown> {
  const url = repoApiUrl(site);
  const html = repoHtmlUrl(site);
  const host = new URL(site.html).host;
  return {
    id: site.repoId,
    node_id: nodeId("R", site.repoId),
    name: site.repo,
    full_name: `${site.owner}/${site.repo}`,
    private: false,
    owner: user(site, site.owner),
    html_url: html,
    description: null,
    fork: false,
    url,
    archive_url: `${url}/{archive_format}{/ref}`,
    assignees_url: `${url}/assignees{/user}`,
    blobs_url: `${url}/git/blobs{/sha}`,
    branches_url: `${url}/branches{/branch}`,
    collaborators_url: `${url}/collaborators{/collaborator}`,
    comments_url: `${url}/comments{/number}`,
    commits_url: `${url}/commits{/sha}`,
    compare_url: `${url}/compare/{base}...{head}`,
    contents_url: `${url}/contents/{+path}`,
    contributors_url: `${url}/contributors`,
    deployments_url: `${url}/deployments`,
    downloads_url: `${url}/downloads`,
    events_url: `${url}/events`,
    forks_url: `${url}/forks`,
    git_commits_url: `${url}/git/commits{/sha}`,
    git_refs_url: `${url}/git/refs{/sha}`,
    git_tags_url: `${url}/git/tags{/sha}`,
    git_url: `git://${host}/${site.owner}/${site.repo}.git`,
    issue_comment_url: `${url}/issues/comments{/number}`,
    issue_events_url: `${url}/issues/events{/number}`,
    issues_url: `${url}/issues{/number}`,
    keys_url: `${url}/keys{/key_id}`,
    labels_url: `${url}/labels{/name}`,
    languages_url: `${url}/languages`,
    merges_url: `${url}/merges`,
    milestones_url: `${url}/milestones{/number}`,
    notifications_url: `${url}/notifications{?since,all,participating}`,
    pulls_url: `${url}/pulls{/number}`,
    releases_url: `${url}/releases{/id}`,
    ssh_url: `git@${host}:${site.owner}/${site.repo}.git`,
    stargazers_url: `${url}/stargazers`,
    statuses_url: `${url}/statuses/{sha}`,
    subscribers_url: `${url}/subscribers`,
    subscription_url: `${url}/subscription`,
    tags_url: `${url}/tags`,
    teams_url: `${url}/teams`,
    trees_url: `${url}/git/trees{/sha}`,
    clone_url: `${html}.git`,
    mirror_url: null,
    hooks_url: `${url}/hooks`,
    svn_url: html,
    homepage: null,
    language: "TypeScript",
    forks_count: 0,
    forks: 0,
    stargazers_count: 0,
    watchers_count: 0,
    watchers: 0,
    size: 100,
    default_branch: defaultBranch,
    open_issues_count: 0,
    open_issues: 0,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: true,
    has_wiki: true,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: "public",
    license: null,
    pushed_at: CREATED,
    created_at: CREATED,
    updated_at: CREATED,
    permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
    allow_forking: true,
    web_commit_signoff_required: false,
    network_count: 0,
    subscribers_count: 0,
  };
}

/** The short repository form embedded in workflow runs, pulls' head/base and the like. */
export function minimalRepository(site: Site): Record<string, unknown> {
  const full = repository(site, "main");
  const keep = Object.keys(full).filter((k) => !/_count$|^(forks|watchers|open_issues|size|default_branch|permissions|topics)$/.test(k));
  return Object.fromEntries(keep.map((k) => [k, full[k]]));
}
