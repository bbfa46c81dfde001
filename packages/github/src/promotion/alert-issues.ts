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

/**
 * One open issue per environment, opened on a "no" and updated in place on the next ones (body
 * replaced, a comment per occurrence), closed as completed by the next success. An issue counts
 * only when our own login opened it and its body starts with the environment's marker: anyone can
 * open an issue quoting the marker, and such an issue is never edited or closed.
 */
export function githubAlertIssues(octokit: GitHubClient, options: GitHubAlertIssuesOptions): AlertIssues {
  const { owner, repo, logger } = options;
  const author = () => (options.login ? Promise.resolve(options.login) : resolveCommentAuthor(octokit, logger));

  /** Our open alert issues of the environment, oldest first. */
  const findOpen = async (environment: string, login: string): Promise<IssueSummary[]> => {
    const marker = alertMarker(environment);
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
    environment: string,
    alert: { title: string; body: string; labels: string[] },
  ): Promise<{ url: string; number: number }> => {
    const title = clipLine(alert.title, TITLE_LIMIT);
    const labels = [...new Set([...labelNames(issue.labels), ...alert.labels])];
    await promotionCall(`update alert issue #${issue.number}`, "issues", () =>
      octokit.rest.issues.update({
        owner,
        repo,
        issue_number: issue.number,
        title,
        body: composeBody(alertMarker(environment), alert.body),
        labels,
      }),
    );
    await comment(issue.number, `### ${escapeInline(title)}\n\n${alert.body}`);
    logger.info(`updated alert issue #${issue.number} for ${environment}`);
    return { url: issue.html_url, number: issue.number };
  };

  return {
    async raise(environment, alert) {
      let login = await author();
      const existing = (await findOpen(environment, login))[0];
      if (existing) return updateInPlace(existing, environment, alert);

      const { data: created } = await promotionCall(`open an alert issue for ${environment}`, "issues", () =>
        octokit.rest.issues.create({
          owner,
          repo,
          title: clipLine(alert.title, TITLE_LIMIT),
          body: composeBody(alertMarker(environment), alert.body),
          labels: alert.labels,
        }),
      );
      const postedAs = created.user?.login;
      if (postedAs && !sameLogin(postedAs, login)) {
        logger.info(`issues are opened as ${postedAs}, not ${login}; looking for earlier ones by ${postedAs}`);
        login = postedAs;
      }
      // Two jobs raising at once may each open one: the oldest stays, the others close as duplicates.
      const oldest = (await findOpen(environment, login))[0];
      if (oldest && oldest.number !== created.number) {
        await comment(created.number, `Duplicate of #${oldest.number}.`);
        await close(created.number, "not_planned");
        return updateInPlace(oldest, environment, alert);
      }
      logger.info(`opened alert issue #${created.number} for ${environment}`);
      return { url: created.html_url, number: created.number };
    },

    async resolve(environment, text) {
      const open = await findOpen(environment, await author());
      for (const issue of open) {
        await comment(issue.number, text);
        await close(issue.number, "completed");
        logger.info(`closed alert issue #${issue.number} for ${environment}`);
      }
      const first = open[0];
      return first ? { url: first.html_url, number: first.number } : undefined;
    },
  };
}
