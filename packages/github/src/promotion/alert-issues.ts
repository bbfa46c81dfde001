import type { Logger } from "@llmops/core";
import { escapeInline } from "@llmops/report";
import type { GitHubClient } from "../octokit.ts";
import { resolveCommentAuthor } from "../sticky-comment.ts";
import type { AlertIssues } from "./contract.ts";
import { promotionCall } from "./permissions.ts";
import { BODY_LIMIT, clipBody, clipLine, TITLE_LIMIT } from "./text.ts";

export interface GitHubAlertIssuesOptions {
  owner: string;
  repo: string;
  logger: Logger;
  /**
   * Login the token creates issues as; default: asked of GitHub (resolveCommentAuthor). Only open
   * issues by this login whose body starts with the environment's marker are ever updated or closed.
   */
  login?: string;
}

interface IssueSummary {
  number: number;
  html_url: string;
  body?: string | null;
  user?: { login: string } | null;
  labels: (string | { name?: string })[];
  pull_request?: unknown;
}

/** The hidden first line of an environment's alert issue; the name is URI-encoded so it cannot end the comment. */
export function alertMarker(environment: string): string {
  return `<!-- llmops-alert:environment=${encodeURIComponent(environment)} -->`;
}

const sameLogin = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();

/** The issue body: the marker, then the caller's text with any copy of our marker prefix defused. */
function composeBody(marker: string, body: string): string {
  const text = body.replace(/<!-- llmops-alert:/g, "<!-- llmops-alert-quoted:");
  return `${marker}\n${clipBody(text, BODY_LIMIT - marker.length - 1)}`;
}

function labelNames(labels: IssueSummary["labels"]): string[] {
  return labels.flatMap((l) => (typeof l === "string" ? [l] : l.name ? [l.name] : []));
}

/** What a keyed alert issue tracker answers to `raise`: the issue, and whether this call opened it. */
export interface RaisedIssue {
  url: string;
  number: number;
  /** Opened by this call (false: an open issue of the key was updated). */
  opened: boolean;
}

/** One open issue per key, found by the hidden marker its body starts with. */
export interface KeyedAlertIssues<K> {
  raise(key: K, alert: { title: string; body: string; labels: string[] }): Promise<RaisedIssue>;
  resolve(key: K, comment: string): Promise<{ url: string; number: number } | undefined>;
}

export interface KeyedAlertIssuesOptions<K> extends GitHubAlertIssuesOptions {
  /** The hidden first line of the key's issue: an HTML comment starting `<!-- llmops-alert:`, with nothing in it a body could end it with. */
  marker: (key: K) => string;
  /** How logs name the key (`production`, `production/sentiment`). */
  describe: (key: K) => string;
}

/**
 * One open issue per key, opened on the first alert and updated in place on the next ones (body
 * replaced, a comment per occurrence), closed as completed by `resolve`. An issue counts only when
 * our own login opened it and its body starts with the key's marker: anyone can open an issue
 * quoting the marker, and such an issue is never edited or closed. The promotion's issues (one
 * per environment) and the monitor's (one per environment and monitor) are this with their own
 * markers.
 */
export function keyedAlertIssues<K>(octokit: GitHubClient, options: KeyedAlertIssuesOptions<K>): KeyedAlertIssues<K> {
  const { owner, repo, logger, marker: markerOf, describe } = options;
  const author = () => (options.login ? Promise.resolve(options.login) : resolveCommentAuthor(octokit, logger));

  /** Our open alert issues of the key, oldest first. */
  const findOpen = async (key: K, login: string): Promise<IssueSummary[]> => {
    const marker = markerOf(key);
    const issues = await promotionCall(`list the open issues of ${owner}/${repo}`, "issues", () =>
      octokit.paginate(octokit.rest.issues.listForRepo, { owner, repo, state: "open", per_page: 100 }),
    );
    return (issues as IssueSummary[])
      .filter((i) => i.pull_request === undefined && sameLogin(i.user?.login, login))
      .filter((i) => (i.body ?? "") === marker || (i.body ?? "").startsWith(`${marker}\n`))
      .sort((a, b) => a.number - b.number);
  };

  const comment = (number: number, body: string) =>
    promotionCall(`comment on issue #${number}`, "issues", () =>
      octokit.rest.issues.createComment({ owner, repo, issue_number: number, body: clipBody(body) }),
    );

  const close = (number: number, stateReason: "completed" | "not_planned") =>
    promotionCall(`close issue #${number}`, "issues", () =>
      octokit.rest.issues.update({ owner, repo, issue_number: number, state: "closed", state_reason: stateReason }),
    );

  const updateInPlace = async (
    issue: IssueSummary,
    key: K,
    alert: { title: string; body: string; labels: string[] },
  ): Promise<RaisedIssue> => {
    const title = clipLine(alert.title, TITLE_LIMIT);
    const labels = [...new Set([...labelNames(issue.labels), ...alert.labels])];
    await promotionCall(`update alert issue #${issue.number}`, "issues", () =>
      octokit.rest.issues.update({
        owner,
        repo,
        issue_number: issue.number,
        title,
        body: composeBody(markerOf(key), alert.body),
        labels,
      }),
    );
    await comment(issue.number, `### ${escapeInline(title)}\n\n${alert.body}`);
    logger.info(`updated alert issue #${issue.number} for ${describe(key)}`);
    return { url: issue.html_url, number: issue.number, opened: false };
  };

  return {
    async raise(key, alert) {
      let login = await author();
      const existing = (await findOpen(key, login))[0];
      if (existing) return updateInPlace(existing, key, alert);

      const { data: created } = await promotionCall(`open an alert issue for ${describe(key)}`, "issues", () =>
        octokit.rest.issues.create({
          owner,
          repo,
          title: clipLine(alert.title, TITLE_LIMIT),
          body: composeBody(markerOf(key), alert.body),
          labels: alert.labels,
        }),
      );
      const postedAs = created.user?.login;
      if (postedAs && !sameLogin(postedAs, login)) {
        logger.info(`issues are opened as ${postedAs}, not ${login}; looking for earlier ones by ${postedAs}`);
        login = postedAs;
      }
      // Two jobs raising at once may each open one: the oldest stays, the others close as duplicates.
      const oldest = (await findOpen(key, login))[0];
      if (oldest && oldest.number !== created.number) {
        await comment(created.number, `Duplicate of #${oldest.number}.`);
        await close(created.number, "not_planned");
        return updateInPlace(oldest, key, alert);
      }
      logger.info(`opened alert issue #${created.number} for ${describe(key)}`);
      return { url: created.html_url, number: created.number, opened: true };
    },

    async resolve(key, text) {
      const open = await findOpen(key, await author());
      for (const issue of open) {
        await comment(issue.number, text);
        await close(issue.number, "completed");
        logger.info(`closed alert issue #${issue.number} for ${describe(key)}`);
      }
      const first = open[0];
      return first ? { url: first.html_url, number: first.number } : undefined;
    },
  };
}

/**
 * One open issue per environment, opened on a "no" and updated in place on the next ones (body
 * replaced, a comment per occurrence), closed as completed by the next success (see keyedAlertIssues).
 */
export function githubAlertIssues(octokit: GitHubClient, options: GitHubAlertIssuesOptions): AlertIssues {
  const issues = keyedAlertIssues<string>(octokit, { ...options, marker: alertMarker, describe: (environment) => environment });
  return {
    async raise(environment, alert) {
      const { url, number } = await issues.raise(environment, alert);
      return { url, number };
    },
    resolve: (environment, comment) => issues.resolve(environment, comment),
  };
}
