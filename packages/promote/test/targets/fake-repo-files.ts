import { createHash } from "node:crypto";
import type { RepoFile, RepoFiles } from "../../src/github-seams.ts";

/** Git's blob id of `content`, as the contents API reports it. */
export function blobSha(content: string): string {
  const bytes = Buffer.from(content, "utf8");
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

export interface FakePullRequest {
  number: number;
  url: string;
  head: string;
  base: string;
  title: string;
  body: string;
}

/**
 * An in-memory deployment repository behind the RepoFiles seam, with the contents API's
 * optimistic concurrency: a write whose previousSha is not the file's current blob is refused with
 * status 409, as GitHub does.
 */
export class FakeRepoFiles implements RepoFiles {
  readonly repository: string;
  readonly branches = new Map<string, Map<string, string>>();
  readonly commits: { branch: string; path: string; message: string; content: string }[] = [];
  readonly pulls: FakePullRequest[] = [];
  /** Runs before each write is checked: lets a test move the file on in between. */
  beforeWrite?: (request: Parameters<RepoFiles["write"]>[0]) => void;

  readonly defaultBranchName: string;

  constructor(repository: string, files: Record<string, string>, defaultBranchName = "main") {
    this.repository = repository;
    this.defaultBranchName = defaultBranchName;
    this.branches.set(defaultBranchName, new Map(Object.entries(files)));
  }

  #check(repository: string): void {
    if (repository !== this.repository) throw Object.assign(new Error(`Not Found: ${repository}`), { status: 404 });
  }

  async defaultBranch(repository: string): Promise<string> {
    this.#check(repository);
    return this.defaultBranchName;
  }

  async read(repository: string, path: string, ref: string): Promise<RepoFile | undefined> {
    this.#check(repository);
    const content = this.branches.get(ref)?.get(path);
    return content === undefined ? undefined : { content, sha: blobSha(content) };
  }

  async write(request: Parameters<RepoFiles["write"]>[0]): Promise<{ commit: string; url: string }> {
    this.#check(request.repository);
    this.beforeWrite?.(request);
    let files = this.branches.get(request.branch);
    if (!files) {
      const base = request.base ? this.branches.get(request.base) : undefined;
      if (!base) throw Object.assign(new Error(`Branch ${request.branch} not found`), { status: 404 });
      files = new Map(base);
      this.branches.set(request.branch, files);
    }
    const current = files.get(request.path);
    const sha = current === undefined ? null : blobSha(current);
    if (sha !== request.previousSha) {
      throw Object.assign(new Error(`${request.path} does not match ${request.previousSha ?? "(absent)"}`), { status: 409 });
    }
    files.set(request.path, request.content);
    this.commits.push({ branch: request.branch, path: request.path, message: request.message, content: request.content });
    const commit = createHash("sha1").update(`${this.commits.length}${request.content}`).digest("hex");
    return { commit, url: `https://github.com/${this.repository}/commit/${commit}` };
  }

  async openPullRequest(request: {
    repository: string;
    head: string;
    base: string;
    title: string;
    body: string;
  }): Promise<{ number: number; url: string }> {
    this.#check(request.repository);
    const open = this.pulls.find((p) => p.head === request.head && p.base === request.base);
    if (open) return { number: open.number, url: open.url };
    const number = this.pulls.length + 1;
    const pr = { number, url: `https://github.com/${this.repository}/pull/${number}`, ...request };
    this.pulls.push(pr);
    return { number, url: pr.url };
  }

  file(branch: string, path: string): string | undefined {
    return this.branches.get(branch)?.get(path);
  }
}
