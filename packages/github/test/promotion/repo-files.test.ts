import { ExitCode, exitCodeOf, InputError, silentLogger } from "@llmops/core";
import { gitBlobSha } from "@llmops/test/github-server";
import { describe, expect, it } from "vitest";
import { GitHubPermissionError } from "../../src/errors.ts";
import { TokenPermissionError } from "../../src/promotion/permissions.ts";
import { githubRepoFiles, RepoFileChangedError } from "../../src/promotion/repo-files.ts";
import { owner, rejection, repo, useServer } from "./setup.ts";

const h = useServer({ defaultBranch: "trunk" });
const files = (options: { tokenEnv?: string; maxFileBytes?: number } = {}) =>
  githubRepoFiles(h.octokit, { logger: silentLogger, ...options });
const repository = `${owner}/${repo}`;
const values = "model: classifier@sha256:aaa\n";

function seed(): void {
  h.server.state.files.push({ path: "deploy/values.yaml", content: values }, { path: "deploy/other.yaml", content: "x: 1\n" });
}

describe("githubRepoFiles: reading", () => {
  it("names the default branch", async () => {
    expect(await files().defaultBranch(repository)).toBe("trunk");
  });

  it("reads a file's text with its blob sha, and nothing for a file that is not there", async () => {
    seed();
    expect(await files().read(repository, "deploy/values.yaml", "trunk")).toEqual({ content: values, sha: gitBlobSha(values) });
    expect(await files().read(repository, "deploy/missing.yaml", "trunk")).toBeUndefined();
  });

  it("refuses directories, unknown refs, large and binary files, and paths leaving the repository", async () => {
    seed();
    h.server.state.files.push({ path: "bin/model.bin", content: new Uint8Array([0xff, 0xfe, 0x00]) });
    const f = files({ maxFileBytes: 16 });
    const cases: [() => Promise<unknown>, string][] = [
      [() => f.read(repository, "deploy", "trunk"), "octo-org/octo-repo:deploy@trunk is a directory, not a file"],
      [() => f.read(repository, "deploy/values.yaml", "nope"), "nope is not a branch, tag or commit of octo-org/octo-repo"],
      [() => f.read(repository, "deploy/values.yaml", "trunk"), "octo-org/octo-repo:deploy/values.yaml@trunk is larger than 16 bytes"],
      [() => f.read(repository, "bin/model.bin", "trunk"), "octo-org/octo-repo:bin/model.bin@trunk is not UTF-8 text"],
      [
        () => f.read(repository, "../etc/passwd", "trunk"),
        `"../etc/passwd" is not a file path inside a repository (relative, "/"-separated, no "." or ".." parts)`,
      ],
      [() => f.read("not a repo", "a", "trunk"), `"not a repo" is not a GitHub repository: expected owner/name`],
    ];
    for (const [read, message] of cases) {
      const error = await rejection(read());
      expect(error).toBeInstanceOf(InputError);
      expect(error.message).toBe(message);
    }
  });

  it("takes GitHub's 403 for a file over 1 MB as too large, not as a missing permission", async () => {
    seed();
    h.server.failNext(
      "GET",
      /\/contents\//,
      403,
      "This API returns blobs up to 1 MB in size. The requested blob is too large to fetch via the API",
    );
    const error = await rejection(files().read(repository, "deploy/values.yaml", "trunk"));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe("octo-org/octo-repo:deploy/values.yaml@trunk is larger than the 1 MB GitHub's contents API returns");
  });

  it("says a repository the token cannot see is not found", async () => {
    const error = await rejection(files({ tokenEnv: "DEPLOY_TOKEN" }).defaultBranch("someone/private"));
    expect(error.message).toBe("GitHub repository someone/private not found, or the token in DEPLOY_TOKEN cannot see it (404)");
    expect(h.server.takeUnexpectedCalls()).toHaveLength(1);
  });
});

describe("githubRepoFiles: writing", () => {
  it("writes one commit when the file is still at the sha it was read at, then refuses a stale write", async () => {
    seed();
    const f = files();
    const read = await f.read(repository, "deploy/values.yaml", "trunk");
    const written = await f.write({
      repository,
      path: "deploy/values.yaml",
      branch: "trunk",
      content: "model: classifier@sha256:bbb\n",
      previousSha: read!.sha,
      message: "Promote classifier to production",
    });
    const head = h.server.state.refs.find((r) => r.ref === "refs/heads/trunk")!.sha;
    expect(written).toEqual({ commit: head, url: `https://github.com/${owner}/${repo}/commit/${head}` });
    expect((await f.read(repository, "deploy/values.yaml", "trunk"))?.content).toBe("model: classifier@sha256:bbb\n");
    expect(h.server.state.commits.map((c) => c.message)).toEqual(["Promote classifier to production"]);

    const stale = await rejection(
      f.write({ repository, path: "deploy/values.yaml", branch: "trunk", content: "c", previousSha: read!.sha, message: "m" }),
    );
    expect(stale).toBeInstanceOf(RepoFileChangedError);
    expect(stale.message).toBe(
      `octo-org/octo-repo:deploy/values.yaml on trunk changed since it was read (expected blob ${read!.sha.slice(0, 12)}); read it again and retry`,
    );
    expect(exitCodeOf(stale)).toBe(ExitCode.External);
    expect(h.server.state.commits).toHaveLength(1);
  });

  it("creates a file expected absent, and refuses when it appeared meanwhile", async () => {
    const f = files();
    await f.write({ repository, path: "deploy/new.yaml", branch: "trunk", content: "a: 1\n", previousSha: null, message: "add" });
    expect((await f.read(repository, "deploy/new.yaml", "trunk"))?.content).toBe("a: 1\n");
    const appeared = await rejection(
      f.write({ repository, path: "deploy/new.yaml", branch: "trunk", content: "a: 2\n", previousSha: null, message: "add" }),
    );
    expect(appeared).toBeInstanceOf(RepoFileChangedError);
    expect(appeared.message).toContain("(expected no file)");
  });

  it("creates the branch from base when missing, writes there only, and reuses it next time", async () => {
    seed();
    const f = files();
    const base = h.server.state.refs.find((r) => r.ref === "refs/heads/trunk")!.sha;
    const read = await f.read(repository, "deploy/values.yaml", "trunk");
    const branch = "llmops/promote-production-p1";
    await f.write({ repository, path: "deploy/values.yaml", branch, base: "trunk", content: "v2\n", previousSha: read!.sha, message: "m" });
    expect((await f.read(repository, "deploy/values.yaml", branch))?.content).toBe("v2\n");
    expect((await f.read(repository, "deploy/values.yaml", "trunk"))?.content).toBe(values);
    expect(h.server.state.refs.find((r) => r.ref === "refs/heads/trunk")!.sha).toBe(base);

    const again = await f.read(repository, "deploy/values.yaml", branch);
    await f.write({
      repository,
      path: "deploy/values.yaml",
      branch,
      base: "trunk",
      content: "v3\n",
      previousSha: again!.sha,
      message: "m",
    });
    expect(h.server.calls.filter((c) => c.operation === "git/create-ref")).toHaveLength(1);
    expect((await f.read(repository, "deploy/values.yaml", branch))?.content).toBe("v3\n");

    const noBase = await rejection(
      f.write({ repository, path: "a", branch: "x", base: "nope", content: "", previousSha: null, message: "m" }),
    );
    expect(noBase.message).toBe("base branch nope not found in octo-org/octo-repo");
    const noBranch = await rejection(f.write({ repository, path: "a", branch: "x", content: "", previousSha: null, message: "m" }));
    expect(noBranch.message).toBe("branch x not found in octo-org/octo-repo");
  });

  it("names contents: write on 403 — for another secret's token, the token's own grant", async () => {
    seed();
    h.server.failNext("PUT", /\/contents\//, 403);
    const workflow = await rejection(
      files().write({
        repository,
        path: "deploy/values.yaml",
        branch: "trunk",
        content: "x",
        previousSha: gitBlobSha(values),
        message: "m",
      }),
    );
    expect(workflow).toBeInstanceOf(GitHubPermissionError);
    expect(workflow.message).toBe(
      "GitHub refused to write octo-org/octo-repo:deploy/values.yaml on trunk (403): the workflow token needs `permissions: contents: write`",
    );
    h.server.failNext("PUT", /\/contents\//, 403);
    const own = await rejection(
      files({ tokenEnv: "DEPLOY_TOKEN" }).write({
        repository,
        path: "deploy/values.yaml",
        branch: "trunk",
        content: "x",
        previousSha: gitBlobSha(values),
        message: "m",
      }),
    );
    expect(own).toBeInstanceOf(TokenPermissionError);
    expect(own.message).toBe(
      'GitHub refused to write octo-org/octo-repo:deploy/values.yaml on trunk (403): the token in DEPLOY_TOKEN needs the "contents: write" permission on that repository',
    );
    expect(exitCodeOf(own)).toBe(ExitCode.External);
  });
});

describe("githubRepoFiles: pull requests", () => {
  it("opens a pull request from the branch, and returns the open one on the next call", async () => {
    seed();
    const f = files();
    const branch = "llmops/promote-production-p2";
    const read = await f.read(repository, "deploy/values.yaml", "trunk");
    await f.write({ repository, path: "deploy/values.yaml", branch, base: "trunk", content: "v2\n", previousSha: read!.sha, message: "m" });
    const request = { repository, head: branch, base: "trunk", title: `Promote ${"x".repeat(300)}`, body: "Evidence: …" };
    const opened = await f.openPullRequest(request);
    expect(opened).toEqual({ number: 1, url: `https://github.com/${owner}/${repo}/pull/1` });
    expect(h.server.state.pulls[0]?.title?.length).toBe(256);
    expect(await f.openPullRequest(request)).toEqual(opened);
    expect(h.server.calls.filter((c) => c.operation === "pulls/create")).toHaveLength(1);
    const list = h.server.calls.find((c) => c.operation === "pulls/list");
    expect(list?.query).toMatchObject({ head: `${owner}:${branch}`, base: "trunk", state: "open" });
  });

  it("names pull-requests: write on 403", async () => {
    h.server.failNext("GET", /\/pulls$/, 403);
    const error = await rejection(files().openPullRequest({ repository, head: "a", base: "trunk", title: "t", body: "b" }));
    expect(error.message).toBe(
      "GitHub refused to list pull requests of octo-org/octo-repo (403): the workflow token needs `permissions: pull-requests: write`",
    );
  });
});
