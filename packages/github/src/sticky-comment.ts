import { type Logger, oneLine } from "@llmops/core";
import { clip, escapeInline } from "@llmops/report";
import { httpStatus, mapGitHubError, withGitHubErrors } from "./errors.ts";
import type { GitHubClient } from "./octokit.ts";

/** GitHub rejects issue comments longer than this many characters. */
export const COMMENT_LIMIT = 65_536;

const MAIN = "<!-- llmops:main -->";
const EARLIER = "<!-- llmops:earlier -->";
const ENTRY = "<!-- llmops:entry -->";
const EARLIER_END = "<!-- llmops:earlier:end -->";

export interface StickyCommentOptions {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  issueNumber: number;
  /** A hidden HTML comment that identifies the comment, e.g. `<!-- llmops:compare suite=qa -->`. */
  marker: string;
  body: string;
  /** Shown under the body so earlier runs can be told apart: a commit SHA, a run number. */
  runLabel?: string;
  /** Earlier runs kept folded in `<details>`; default 5. */
  keepEarlier?: number;
  /**
   * Login our comments are posted as; default: asked of GitHub for the token (resolveCommentAuthor).
   * Only comments by this login are ever updated, deleted or folded into "Earlier runs".
   */
  author?: string;
  logger?: Logger;
}

export interface StickyCommentResult {
  action: "created" | "updated";
  commentId: number;
  url: string;
}

interface IssueComment {
  id: number;
  body?: string | null;
  html_url: string;
  user?: { login: string; type?: string } | null;
}

/** The login GitHub Actions' `GITHUB_TOKEN` posts as. */
export const ACTIONS_BOT_LOGIN = "github-actions[bot]";

const authors = new WeakMap<GitHubClient, Promise<string>>();

/**
 * The login comments made with this client's token appear under, so that only our own comments
 * are ever touched: anyone can post a comment that starts with our marker, and such a comment
 * must not be edited, deleted or quoted.
 *
 * - `GET /user` answers for a personal access token or a user's OAuth token (the user's login).
 * - GitHub App installation tokens, `GITHUB_TOKEN` among them, get 403 there (`GET /app` needs
 *   the App's JWT, which a workflow does not have); GraphQL's `viewer` answers for them with the
 *   App's bot login (`github-actions[bot]`, `<slug>[bot]`).
 * - Failing both (a GitHub Enterprise Server without GraphQL access, a network error), the token
 *   is taken to be `GITHUB_TOKEN`; the first comment created corrects this (its `user` is read
 *   back) so the run never leaves a duplicate behind.
 *
 * Logins are compared exactly (case-insensitively, as GitHub treats them): a `[bot]` suffix
 * cannot be registered by a user, so a user cannot pose as an App, and the App's own login is
 * the only one it posts under.
 */
export function resolveCommentAuthor(octokit: GitHubClient, logger?: Logger): Promise<string> {
  let pending = authors.get(octokit);
  if (!pending) {
    pending = (async () => {
      try {
        const { data } = await octokit.rest.users.getAuthenticated();
        return data.login;
      } catch (error) {
        const status = httpStatus(error);
        if (status !== 401 && status !== 403 && status !== 404)
          throw mapGitHubError(error, { what: "tell which login the token posts as", permission: "(none)" });
      }
      try {
        const data = await octokit.graphql<{ viewer: { login: string } }>("query { viewer { login } }");
        if (data.viewer.login) return data.viewer.login;
      } catch (error) {
        logger?.debug(`GraphQL viewer unavailable (${oneLine(error)}); taking the token to be GITHUB_TOKEN`);
      }
      return ACTIONS_BOT_LOGIN;
    })();
    authors.set(octokit, pending);
    // A failed lookup is not remembered: the next call asks again.
    pending.catch(() => authors.delete(octokit));
  }
  return pending;
}

const sameLogin = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();

/** The body's own copy of our structure markers is defused, so a crafted body cannot split into fake sections. */
function defuse(body: string, marker: string): string {
  const withoutMarker = body.startsWith(marker) ? body.slice(marker.length) : body;
  return withoutMarker.replace(/<!-- llmops:/g, "<!-- llmops-quoted:").trim();
}

/** Splits a comment we wrote into its main section and earlier-run entries. */
export function parseStickyBody(body: string): { main: string; earlier: string[] } {
  const mainStart = body.indexOf(MAIN);
  if (mainStart < 0) return { main: "", earlier: [] };
  const earlierStart = body.indexOf(EARLIER, mainStart);
  const main = body.slice(mainStart + MAIN.length, earlierStart < 0 ? undefined : earlierStart).trim();
  if (earlierStart < 0) return { main, earlier: [] };
  const endAt = body.indexOf(EARLIER_END, earlierStart);
  const section = body.slice(earlierStart + EARLIER.length, endAt < 0 ? undefined : endAt);
  const earlier = section
    .split(ENTRY)
    .slice(1)
    .map((entry) => entry.replace(/<\/details>\s*$/, "").trim())
    .filter((entry) => entry.length > 0);
  return { main, earlier };
}

/** Builds the comment: marker, the new main section, then earlier mains folded, oldest dropped first to fit. */
export function composeStickyBody(options: {
  marker: string;
  body: string;
  runLabel?: string;
  previous?: string;
  keepEarlier?: number;
}): string {
  const label = options.runLabel ? `\n\n<sub>${escapeInline(options.runLabel)}</sub>` : "";
  let main = `${defuse(options.body, options.marker)}${label}`;
  const previous = options.previous ? parseStickyBody(options.previous) : { main: "", earlier: [] };
  let entries = [previous.main, ...previous.earlier].filter((e) => e.length > 0).slice(0, options.keepEarlier ?? 5);
  const build = () => {
    const head = `${options.marker}\n${MAIN}\n${main}\n`;
    if (entries.length === 0) return head;
    const folded = entries.map((e) => `${ENTRY}\n${e}\n`).join("\n---\n\n");
    return `${head}\n${EARLIER}\n<details><summary>Earlier runs (${entries.length})</summary>\n\n${folded}\n</details>\n${EARLIER_END}\n`;
  };
  let text = build();
  while (text.length > COMMENT_LIMIT && entries.length > 0) {
    entries = entries.slice(0, -1);
    text = build();
  }
  if (text.length > COMMENT_LIMIT) {
    const note = "\n\n> [!NOTE]\n> Cut at GitHub's comment limit.";
    main = clip(main, COMMENT_LIMIT - (text.length - main.length), { suffix: note });
    text = build();
  }
  return text;
}

/** Our comments with the marker, oldest first; comments by anyone else are never returned, whatever they say. */
async function listMarked(options: StickyCommentOptions, author: string): Promise<IssueComment[]> {
  const { octokit, owner, repo, issueNumber, marker } = options;
  const comments = await withGitHubErrors(
    {
      what: `list comments of pull request #${issueNumber}`,
      permission: "pull-requests: read",
      pullRequest: { owner, repo, number: issueNumber },
    },
    () => octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: issueNumber, per_page: 100 }),
  );
  return (comments as IssueComment[])
    .filter((c) => sameLogin(c.user?.login, author) && (c.body ?? "").startsWith(marker))
    .sort((a, b) => a.id - b.id);
}

/**
 * One comment per marker, updated in place. Concurrent jobs may each create one; every job
 * re-lists after creating and the oldest wins, so the PR ends with exactly one. Only comments
 * posted under our own login count (see resolveCommentAuthor).
 */
export async function upsertStickyComment(options: StickyCommentOptions): Promise<StickyCommentResult> {
  const { octokit, owner, repo, issueNumber, marker } = options;
  const write = {
    what: `write the pull request comment on #${issueNumber}`,
    permission: "pull-requests: write",
    pullRequest: { owner, repo, number: issueNumber },
  };
  const remove = async (ids: number[]) => {
    for (const id of ids) {
      try {
        await octokit.rest.issues.deleteComment({ owner, repo, comment_id: id });
      } catch (error) {
        // Another job may have removed it first.
        if (httpStatus(error) !== 404) throw error;
      }
    }
  };
  const update = async (comment: IssueComment): Promise<StickyCommentResult> => {
    const body = composeStickyBody({ ...options, previous: comment.body ?? "" });
    const { data } = await withGitHubErrors(write, () => octokit.rest.issues.updateComment({ owner, repo, comment_id: comment.id, body }));
    return { action: "updated", commentId: data.id, url: data.html_url };
  };

  let author = options.author ?? (await resolveCommentAuthor(octokit, options.logger));
  const existing = await listMarked(options, author);
  const [oldest, ...duplicates] = existing;
  if (oldest) {
    const result = await update(oldest);
    await withGitHubErrors(write, () => remove(duplicates.map((c) => c.id)));
    return result;
  }

  const body = composeStickyBody(options);
  const { data: created } = await withGitHubErrors(write, () =>
    octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body }),
  );
  const postedAs = (created as IssueComment).user?.login;
  if (postedAs && !sameLogin(postedAs, author)) {
    options.logger?.info(`comments are posted as ${postedAs}, not ${author}; looking for earlier ones by ${postedAs}`);
    author = postedAs;
  }
  const after = await listMarked(options, author);
  const winner = after[0];
  if (!winner || winner.id === created.id) {
    await withGitHubErrors(write, () => remove(after.slice(1).map((c) => c.id)));
    return { action: "created", commentId: created.id, url: created.html_url };
  }
  options.logger?.info(`another job created the ${marker} comment first; updating that one`);
  await withGitHubErrors(write, () => remove(after.slice(1).map((c) => c.id)));
  return update(winner);
}
