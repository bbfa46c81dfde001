// Repository contents seeded per ref in `state.files`, answered as GitHub's contents API answers:
// base64 in 60-character lines, git blob and tree shas, raw and object media types, GitHub's 404s.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gitBlobSha, githubBase64 } from "@llmops/test/github-server";
import type { Octokit } from "@octokit/rest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { failure, repo, type Server, startWithOctokit } from "./setup.ts";

let server: Server;
let octokit: Octokit;
beforeEach(async () => {
  ({ server, octokit } = await startWithOctokit());
});
afterEach(() => server.close());

type FileData = { type: string; encoding: string; content: string; sha: string; size: number; name: string; path: string } & Record<
  string,
  unknown
>;

async function getFile(path: string, ref?: string): Promise<FileData> {
  const res = await octokit.rest.repos.getContent({ ...repo, path, ...(ref === undefined ? {} : { ref }) });
  return res.data as unknown as FileData;
}

const decode = (content: string) => Buffer.from(content, "base64").toString("utf8");

/** What git itself says: the blob sha of some content, and the tree sha of directories of `files`. */
function gitSays(files: Record<string, string>, dirs: string[]): { blob: (content: string) => string; tree: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), "llmops-contents-"));
  const git = (args: string[], input = "") => execFileSync("git", args, { cwd: dir, encoding: "utf8", input }).trim();
  try {
    git(["init", "-q"]);
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    git(["add", "-A"]);
    const tree = Object.fromEntries(dirs.map((d) => [d, git(["write-tree", `--prefix=${d}/`])]));
    // hash-object --stdin needs no repository, so blob() works once it is gone.
    const blob = (content: string) => execFileSync("git", ["hash-object", "--stdin"], { encoding: "utf8", input: content }).trim();
    return { blob, tree };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("a file", () => {
  const text = `${"A line of the model registry, long enough to wrap. ".repeat(3)}\n`;

  it("comes back as GitHub sends it: type, base64 in lines of 60, git blob sha, size, name, path and links", async () => {
    server.state.files.push({ path: "models/registry.yaml", content: text });
    const file = await getFile("models/registry.yaml");
    expect(file).toMatchObject({
      type: "file",
      encoding: "base64",
      name: "registry.yaml",
      path: "models/registry.yaml",
      size: text.length,
    });
    const lines = file.content.split("\n");
    expect(lines.at(-1)).toBe("");
    expect(lines.slice(0, -2).every((line) => line.length === 60)).toBe(true);
    expect(lines.at(-2)!.length).toBeLessThanOrEqual(60);
    expect(decode(file.content)).toBe(text);
    expect(file.sha).toBe(gitSays({ "a.txt": text }, []).blob(text));
    const api = `${server.url}/repos/octo-org/octo-repo`;
    expect(file).toMatchObject({
      url: `${api}/contents/models/registry.yaml?ref=main`,
      html_url: "https://github.com/octo-org/octo-repo/blob/main/models/registry.yaml",
      git_url: `${api}/git/blobs/${file.sha}`,
      _links: {
        self: `${api}/contents/models/registry.yaml?ref=main`,
        git: `${api}/git/blobs/${file.sha}`,
        html: "https://github.com/octo-org/octo-repo/blob/main/models/registry.yaml",
      },
    });
    // The download URL works without a token, as raw.githubusercontent.com does for a public repository.
    const download = await fetch(String(file.download_url));
    expect(download.status).toBe(200);
    expect(await download.text()).toBe(text);
    expect(server.calls.map((c) => [c.operation, c.path])).toEqual([
      ["repos/get-content", "/repos/octo-org/octo-repo/contents/models%2Fregistry.yaml"],
      [undefined, "/_raw/octo-org/octo-repo/main/models/registry.yaml"],
    ]);
  });

  it("has the known git sha of 'hello world\\n', and GitHub's base64 of it", async () => {
    expect(gitBlobSha("hello world\n")).toBe("3b18e512dba79e4c8300dd08aeb37f8e728b8dad");
    expect(githubBase64(new TextEncoder().encode("hello world\n"))).toBe("aGVsbG8gd29ybGQK\n");
    expect(githubBase64(new Uint8Array())).toBe("");
    server.state.files.push({ path: "/hello.txt", content: "hello world\n" });
    expect(await getFile("hello.txt")).toMatchObject({
      sha: "3b18e512dba79e4c8300dd08aeb37f8e728b8dad",
      content: "aGVsbG8gd29ybGQK\n",
      size: 12,
    });
  });

  it("keeps exact bytes", async () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    server.state.files.push({ path: "model.bin", content: bytes });
    const file = await getFile("model.bin");
    expect(new Uint8Array(Buffer.from(file.content, "base64"))).toEqual(bytes);
    expect(file.sha).toBe(gitBlobSha(bytes));
    expect(file.size).toBe(256);
  });

  it("is found at a path with literal slashes too", async () => {
    server.state.files.push({ path: "a/b/c.txt", content: "c" });
    const res = await fetch(`${server.url}/repos/octo-org/octo-repo/contents/a/b/c.txt`, { headers: { authorization: "token t" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ path: "a/b/c.txt", name: "c.txt" });
  });
});

describe("refs", () => {
  beforeEach(() => {
    server.state.refs.push({ ref: "refs/tags/v1", sha: "1".repeat(40) });
    server.state.files.push(
      { path: "config.yaml", content: "on main" },
      { ref: "feature/x", path: "config.yaml", content: "on feature/x" },
      { ref: "v1", path: "config.yaml", content: "at v1" },
      { ref: "2".repeat(40), path: "config.yaml", content: "at a commit" },
    );
  });

  it("answers the default branch without a ref, and each seeded ref by name", async () => {
    expect(decode((await getFile("config.yaml")).content)).toBe("on main");
    expect(decode((await getFile("config.yaml", "main")).content)).toBe("on main");
    expect(decode((await getFile("config.yaml", "feature/x")).content)).toBe("on feature/x");
    expect(decode((await getFile("config.yaml", "refs/heads/feature/x")).content)).toBe("on feature/x");
    expect(decode((await getFile("config.yaml", "v1")).content)).toBe("at v1");
    expect(decode((await getFile("config.yaml", "2".repeat(40))).content)).toBe("at a commit");
    const atFeature = await getFile("config.yaml", "feature/x");
    expect(atFeature.url).toBe(`${server.url}/repos/octo-org/octo-repo/contents/config.yaml?ref=feature/x`);
    expect(atFeature.html_url).toBe("https://github.com/octo-org/octo-repo/blob/feature/x/config.yaml");
    expect(await (await fetch(String(atFeature.download_url))).text()).toBe("on feature/x");
  });

  it("resolves a ref through `refs`: the commit of a branch or tag sees its files", async () => {
    const main = server.state.refs.find((r) => r.ref === "refs/heads/main")!.sha;
    expect(decode((await getFile("config.yaml", main)).content)).toBe("on main");
    expect(decode((await getFile("config.yaml", "refs/tags/v1")).content)).toBe("at v1");
    expect(decode((await getFile("config.yaml", "1".repeat(40))).content)).toBe("at v1");
  });

  it("lets a later seed of the same path replace an earlier one", async () => {
    server.state.files.push({ path: "config.yaml", content: "edited on main" });
    expect(decode((await getFile("config.yaml")).content)).toBe("edited on main");
    expect(decode((await getFile("config.yaml", "v1")).content)).toBe("at v1");
  });
});

describe("media types", () => {
  const text = "name: gpt\nthreshold: 0.8\n";
  beforeEach(() => {
    server.state.files.push(
      { path: "models/model.yaml", content: text },
      { path: "models/weights.bin", content: Uint8Array.of(0x89, 0x50, 0, 255) },
    );
  });

  it("answers the raw file for mediaType raw (application/vnd.github.v3.raw), as a string to octokit", async () => {
    const res = await octokit.rest.repos.getContent({ ...repo, path: "models/model.yaml", mediaType: { format: "raw" } });
    expect(res.data).toBe(text);
    expect(res.headers["content-type"]).toBe("application/vnd.github.v3.raw; charset=utf-8");
    expect(res.headers["x-github-media-type"]).toBe("github.v3; param=raw");
  });

  it.each([
    ["application/vnd.github.raw+json", "github.v3; param=raw; format=json"],
    ["application/vnd.github.raw", "github.v3; param=raw"],
  ])("answers exact bytes for Accept: %s", async (accept, mediaType) => {
    const res = await fetch(`${server.url}/repos/octo-org/octo-repo/contents/models/weights.bin`, {
      headers: { authorization: "token t", accept },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(`${accept}; charset=utf-8`);
    expect(res.headers.get("x-github-media-type")).toBe(mediaType);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(Uint8Array.of(0x89, 0x50, 0, 255));
    const yaml = await fetch(`${server.url}/repos/octo-org/octo-repo/contents/models/model.yaml?ref=main`, {
      headers: { authorization: "token t", accept: `${accept}, application/json` },
    });
    expect(await yaml.text()).toBe(text);
  });

  it("answers the JSON form for the object media type, and a directory as an object with entries", async () => {
    const file = await octokit.rest.repos.getContent({ ...repo, path: "models/model.yaml", mediaType: { format: "object" } });
    expect(file.data).toMatchObject({ type: "file", encoding: "base64", content: githubBase64(new TextEncoder().encode(text)) });
    const dir = await octokit.rest.repos.getContent({ ...repo, path: "models", mediaType: { format: "object" } });
    expect(dir.data).toMatchObject({
      type: "dir",
      name: "models",
      path: "models",
      entries: [{ name: "model.yaml" }, { name: "weights.bin" }],
    });
  });

  it("answers a directory as its listing even when raw is asked for", async () => {
    const res = await octokit.rest.repos.getContent({ ...repo, path: "models", mediaType: { format: "raw" } });
    expect(Array.isArray(res.data)).toBe(true);
  });

  it("refuses files over 1 MB as JSON, as GitHub does, but gives them raw or (without content) as an object", async () => {
    const big = "x".repeat(1024 * 1024 + 1);
    server.state.files.push({ path: "big.txt", content: big });
    const { status, data } = await failure(octokit.rest.repos.getContent({ ...repo, path: "big.txt" }));
    expect(status).toBe(403);
    expect(data).toMatchObject({ errors: [{ resource: "Blob", field: "data", code: "too_large" }] });
    expect(data.message).toMatch(/^This API returns blobs up to 1 MB in size/);
    const object = await octokit.rest.repos.getContent({ ...repo, path: "big.txt", mediaType: { format: "object" } });
    expect(object.data).toMatchObject({ type: "file", encoding: "none", content: "", size: big.length });
    const raw = await octokit.rest.repos.getContent({ ...repo, path: "big.txt", mediaType: { format: "raw" } });
    expect((raw.data as unknown as string).length).toBe(big.length);
  });

  it("fails the test for the html media type, which the server cannot render", async () => {
    const res = await fetch(`${server.url}/repos/octo-org/octo-repo/contents/models/model.yaml`, {
      headers: { authorization: "token t", accept: "application/vnd.github.html+json" },
    });
    expect(res.status).toBe(415);
    expect(server.takeUnexpectedCalls().map((c) => c.unexpected)).toEqual([
      "repos/get-content: the html media type (rendered markup) is not implemented by the test server",
    ]);
  });
});

describe("directories", () => {
  const files = {
    "models/a.yaml": "a: 1\n",
    "models/b-dir/x.txt": "x\n",
    "models/b.txt": "b\n",
    "models/b-dir/deep/y.txt": "y\n",
  };

  it("lists a directory's files and subdirectories in git's order, with git's tree shas", async () => {
    for (const [path, content] of Object.entries(files)) server.state.files.push({ path, content });
    const res = await octokit.rest.repos.getContent({ ...repo, path: "models" });
    const entries = res.data as unknown as FileData[];
    // Git orders "b-dir/" before "b.txt" ('-' < '.'), and would order "b.txt" before a directory "b".
    expect(entries.map((e) => [e.type, e.name, e.path])).toEqual([
      ["file", "a.yaml", "models/a.yaml"],
      ["dir", "b-dir", "models/b-dir"],
      ["file", "b.txt", "models/b.txt"],
    ]);
    const git = gitSays(files, ["models/b-dir", "models"]);
    expect(entries[0]).toMatchObject({ sha: git.blob("a: 1\n"), size: 5 });
    expect(entries[0]).not.toHaveProperty("content");
    expect(entries[1]).toMatchObject({
      sha: git.tree["models/b-dir"],
      size: 0,
      download_url: null,
      html_url: "https://github.com/octo-org/octo-repo/tree/main/models/b-dir",
      git_url: `${server.url}/repos/octo-org/octo-repo/git/trees/${git.tree["models/b-dir"]}`,
    });
    const object = await octokit.rest.repos.getContent({ ...repo, path: "models", mediaType: { format: "object" } });
    expect((object.data as { sha: string }).sha).toBe(git.tree.models);
  });
});

describe("missing contents", () => {
  it("answers GitHub's 404 Not Found for a path that is not there, without counting it unexpected", async () => {
    server.state.files.push({ path: "present.txt", content: "p" });
    const { status, data } = await failure(octokit.rest.repos.getContent({ ...repo, path: "absent.txt" }));
    expect(status).toBe(404);
    expect(data).toEqual({
      message: "Not Found",
      documentation_url: "https://docs.github.com/rest/repos/contents#get-repository-content",
      status: "404",
    });
    expect((await failure(octokit.rest.repos.getContent({ ...repo, path: "present.txt/more" }))).status).toBe(404);
    expect(server.unexpectedCalls).toEqual([]);
  });

  it("answers 'No commit found for the ref' for a ref that names nothing", async () => {
    server.state.files.push({ path: "present.txt", content: "p" });
    const { status, data } = await failure(octokit.rest.repos.getContent({ ...repo, path: "present.txt", ref: "nope" }));
    expect(status).toBe(404);
    expect(data.message).toBe("No commit found for the ref nope");
    // A file seeded at the default branch is not at another ref.
    server.state.refs.push({ ref: "refs/heads/other", sha: "3".repeat(40) });
    expect((await failure(octokit.rest.repos.getContent({ ...repo, path: "present.txt", ref: "other" }))).data.message).toBe("Not Found");
  });

  it("refuses an undeclared query parameter, and a download URL the server did not hand out", async () => {
    server.state.files.push({ path: "present.txt", content: "p" });
    const res = await fetch(`${server.url}/repos/octo-org/octo-repo/contents/present.txt?branch=main`, {
      headers: { authorization: "token t" },
    });
    expect(res.status).toBe(422);
    expect((await fetch(`${server.url}/_raw/someone/else/main/present.txt`)).status).toBe(404);
    expect((await fetch(`${server.url}/_raw/octo-org/octo-repo/main/absent.txt`)).status).toBe(404);
    expect(server.takeUnexpectedCalls().map((c) => c.unexpected)).toEqual([
      'repos/get-content: Unknown query parameter "branch": repos/get-content takes ref.',
      "not a file download URL this server hands out",
    ]);
  });
});
