import { ExternalError, InputError, type Logger } from "@llmops/core";
import { httpStatus } from "../errors.ts";
import type { GitHubClient } from "../octokit.ts";
import type { RepoFile, RepoFiles } from "./contract.ts";
import { githubBodyOf, githubMessageOf, type PromotionPermission, parseRepository, promotionCall, promotionError } from "./permissions.ts";
import { BODY_LIMIT, clipBody, clipLine, TITLE_LIMIT } from "./text.ts";

/** Largest file `read` accepts: what the contents API answers as JSON (GitHub's own 1 MB limit). */
export const MAX_REPO_FILE_BYTES = 1024 * 1024;

export interface GitHubRepoFilesOptions {
  logger: Logger;
  /** The environment variable the token came from, named in errors (a 403 then asks for the token's grant, not the job's permissions). */
  tokenEnv?: string;
  maxFileBytes?: number;
}

/** A file changed between `read` and `write` (another promotion, a person): read it again and retry. */
export class RepoFileChangedError extends ExternalError {
  readonly repository: string;
  readonly path: string;
  readonly branch: string;
  constructor(repository: string, path: string, branch: string, expected: string | null, options?: ErrorOptions) {
    super(
      `${repository}:${path} on ${branch} changed since it was read (expected ${expected === null ? "no file" : `blob ${expected.slice(0, 12)}`}); read it again and retry`,
      options,
    );
    this.repository = repository;
    this.path = path;
    this.branch = branch;
  }
}

const SHA = /^[0-9a-f]{40}$/i;

/** A path inside the repository: relative, no `.`/`..` or empty segments. */
function checkPath(path: string): string {
  const parts = path.split("/");
  if (path === "" || parts.some((p) => p === "" || p === "." || p === "..") || path.includes("\\") || /[\u0000-\u001f]/.test(path))
    throw new InputError(`"${path}" is not a file path inside a repository (relative, "/"-separated, no "." or ".." parts)`);
  return path;
}

function decodeUtf8(bytes: Uint8Array, where: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (error) {
    throw new InputError(`${where} is not UTF-8 text`, { cause: error });
  }
}

/**
 * Files of (other) repositories through the REST contents API, for gitops targets: read a file with
 * its blob sha, write it back as one commit only if it is still at that sha, open a pull request.
 */
export function githubRepoFiles(octokit: GitHubClient, options: GitHubRepoFilesOptions): RepoFiles {
  const { logger, tokenEnv } = options;
  const maxBytes = options.maxFileBytes ?? MAX_REPO_FILE_BYTES;
  const call = <T>(what: string, permission: PromotionPermission, fn: () => Promise<T>) => promotionCall(what, permission, fn, tokenEnv);
  const failed = (error: unknown, what: string, permission: PromotionPermission) => promotionError(error, what, permission, tokenEnv);
  const notVisible = (repository: string, error: unknown) =>
    new InputError(`GitHub repository ${repository} not found, or the token${tokenEnv ? ` in ${tokenEnv}` : ""} cannot see it (404)`, {
      cause: error,
    });

  /** The commit `refs/heads/<branch>` points at, or undefined when there is no such branch. */
  const branchSha = async (owner: string, repo: string, branch: string): Promise<string | undefined> => {
    try {
      const { data } = await octokit.rest.git.getRef({ owner, repo, ref: `heads/${branch}` });
      return data.object.sha;
    } catch (error) {
      if (httpStatus(error) === 404) return undefined;
      throw failed(error, `read branch ${branch} of ${owner}/${repo}`, "contents");
    }
  };

  return {
    async defaultBranch(repository) {
      const { owner, repo } = parseRepository(repository);
      try {
        const { data } = await octokit.rest.repos.get({ owner, repo });
        return data.default_branch;
      } catch (error) {
        if (httpStatus(error) === 404) throw notVisible(repository, error);
        throw failed(error, `read repository ${repository}`, "contents");
      }
    },

    async read(repository, path, ref): Promise<RepoFile | undefined> {
      const { owner, repo } = parseRepository(repository);
      const where = `${repository}:${checkPath(path)}@${ref}`;
      let data: unknown;
      try {
        ({ data } = await octokit.rest.repos.getContent({ owner, repo, path, ref }));
      } catch (error) {
        const status = httpStatus(error);
        const message = githubMessageOf(error);
        if (status === 404 && /^No commit found/i.test(message))
          throw new InputError(`${ref} is not a branch, tag or commit of ${repository}`, { cause: error });
        // No such file (GitHub says the same of a repository the token cannot see; `write` tells them apart).
        if (status === 404) return undefined;
        // GitHub answers 403 (not a permission problem) for a file over its 1 MB JSON limit.
        if (status === 403 && /too large|too_large/i.test(githubBodyOf(error)))
          throw new InputError(`${where} is larger than the 1 MB GitHub's contents API returns`, { cause: error });
        throw failed(error, `read ${where}`, "contents");
      }
      if (Array.isArray(data)) throw new InputError(`${where} is a directory, not a file`);
      const file = data as { type?: string; size?: number; encoding?: string; content?: string; sha?: string };
      if (file.type !== "file") throw new InputError(`${where} is a ${file.type ?? "non-file"}, not a file`);
      if ((file.size ?? 0) > maxBytes || file.encoding !== "base64" || typeof file.content !== "string")
        throw new InputError(`${where} is larger than ${maxBytes} bytes`);
      const bytes = Buffer.from(file.content.replace(/\s+/g, ""), "base64");
      if (bytes.length > maxBytes) throw new InputError(`${where} is larger than ${maxBytes} bytes`);
      return { content: decodeUtf8(bytes, where), sha: String(file.sha) };
    },

    async write(request) {
      const { repository, branch, base, previousSha } = request;
      const { owner, repo } = parseRepository(repository);
      const path = checkPath(request.path);
      if (base !== undefined && (await branchSha(owner, repo, branch)) === undefined) {
        const from = SHA.test(base) ? base.toLowerCase() : await branchSha(owner, repo, base);
        if (from === undefined) throw new InputError(`base branch ${base} not found in ${repository}`);
        try {
          await octokit.rest.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha: from });
          logger.debug(`created branch ${branch} of ${repository} at ${from}`);
        } catch (error) {
          // Another run created it first: fine, the write below is checked against previousSha anyway.
          if (!(httpStatus(error) === 422 && /already exists/i.test(githubMessageOf(error))))
            throw failed(error, `create branch ${branch} in ${repository}`, "contents");
        }
      }
      try {
        const { data } = await octokit.rest.repos.createOrUpdateFileContents({
          owner,
          repo,
          path,
          branch,
          message: request.message,
          content: Buffer.from(request.content, "utf8").toString("base64"),
          // GitHub writes only if the file is still at this blob sha (409 otherwise). Without one it
          // refuses to replace an existing file (422 "sha" wasn't supplied), so "absent" is checked too.
          ...(previousSha === null ? {} : { sha: previousSha }),
        });
        const commit = data.commit.sha ?? "";
        logger.info(`committed ${path} to ${repository}@${branch} (${commit.slice(0, 12)})`);
        return { commit, url: data.commit.html_url ?? "" };
      } catch (error) {
        const status = httpStatus(error);
        const message = githubMessageOf(error);
        // 409 "<path> does not match <sha>" (or a branch that moved meanwhile); a ruleset refusing the
        // push is a 409 too, and is not a conflict.
        if ((status === 409 && !/rule|protected/i.test(message)) || (status === 422 && /\bsha\b/i.test(message)))
          throw new RepoFileChangedError(repository, path, branch, previousSha, { cause: error });
        if (status === 404 && /^Branch /i.test(message))
          throw new InputError(`branch ${branch} not found in ${repository}`, { cause: error });
        if (status === 404) throw notVisible(repository, error);
        throw failed(error, `write ${repository}:${path} on ${branch}`, "contents");
      }
    },

    async openPullRequest(request) {
      const { owner, repo } = parseRepository(request.repository);
      const list = () =>
        call(`list pull requests of ${request.repository}`, "pullRequests", () =>
          octokit.rest.pulls.list({ owner, repo, head: `${owner}:${request.head}`, base: request.base, state: "open", per_page: 100 }),
        );
      const open = (await list()).data[0];
      if (open) return { number: open.number, url: open.html_url };
      try {
        const { data } = await octokit.rest.pulls.create({
          owner,
          repo,
          head: request.head,
          base: request.base,
          title: clipLine(request.title, TITLE_LIMIT),
          body: clipBody(request.body, BODY_LIMIT),
        });
        logger.info(`opened pull request ${request.repository}#${data.number}`);
        return { number: data.number, url: data.html_url };
      } catch (error) {
        // Another run opened it between the list and the create.
        if (httpStatus(error) === 422 && /already exists/i.test(githubBodyOf(error))) {
          const raced = (await list()).data[0];
          if (raced) return { number: raced.number, url: raced.html_url };
        }
        throw failed(error, `open a pull request from ${request.head} into ${request.base} in ${request.repository}`, "pullRequests");
      }
    },
  };
}
