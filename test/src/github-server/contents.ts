// Repository contents (`GET /repos/{owner}/{repo}/contents/{path}`) from the files seeded in
// `state.files`: the tree a ref sees, GitHub's file and directory shapes (git blob and tree shas,
// base64 with a line break every 60 characters), its media types and its 404s.
import { createHash } from "node:crypto";
import { GitHubHttpError, notFound, type Reply } from "./http.ts";
import { repoApiUrl, repoHtmlUrl, type Site, timestamp } from "./shapes.ts";
import { type GitHubState, type RepoFile, resolveRef } from "./state.ts";

type Open = Record<string, unknown>;

/** GitHub answers the default JSON (and base64 content) for files up to 1 MB; larger ones need raw or object. */
export const MAX_JSON_CONTENT_BYTES = 1024 * 1024;

export function fileBytes(content: RepoFile["content"]): Uint8Array {
  return typeof content === "string" ? new TextEncoder().encode(content) : content;
}

/** The git object id of a blob: sha1 of `blob <size>\0<bytes>`, as `git hash-object` prints it. */
export function gitBlobSha(content: string | Uint8Array): string {
  const bytes = fileBytes(content);
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

/** Base64 as GitHub's contents API sends it (Ruby's `Base64.encode64`): a newline after every 60 characters and at the end. */
export function githubBase64(bytes: Uint8Array): string {
  const b64 = Buffer.from(bytes).toString("base64");
  return (b64.match(/.{1,60}/g) ?? []).map((line) => `${line}\n`).join("");
}

function normalizePath(path: string): string {
  return path.replace(/^\/+|\/+$/g, "");
}

/** `refs/heads/x` and `refs/tags/x` are `x`; anything else is compared as given. */
function shortRef(ref: string): string {
  return ref.replace(/^refs\/(?:heads|tags)\//, "");
}

/**
 * The files a ref sees (path → bytes; the last seed of a path wins), or undefined when the ref names
 * no branch, tag or commit the server knows and no seeded file.
 */
export function treeAt(state: GitHubState, defaultBranch: string, ref: string): Map<string, Uint8Array> | undefined {
  const sha = resolveRef(state, ref);
  const name = shortRef(ref);
  const tree = new Map<string, Uint8Array>();
  let named = false;
  for (const file of state.files) {
    const seedRef = file.ref ?? defaultBranch;
    const sameName = shortRef(seedRef) === name;
    named ||= sameName;
    if (sameName || (sha !== undefined && resolveRef(state, seedRef) === sha)) tree.set(normalizePath(file.path), fileBytes(file.content));
  }
  return sha === undefined && !named ? undefined : tree;
}

type Node = { kind: "file"; bytes: Uint8Array } | { kind: "dir"; children: Map<string, Node> };

function buildTree(files: Map<string, Uint8Array>): Map<string, Node> {
  const root = new Map<string, Node>();
  for (const [path, bytes] of files) {
    const parts = path.split("/").filter(Boolean);
    let dir = root;
    let ok = true;
    for (const part of parts.slice(0, -1)) {
      let next = dir.get(part);
      if (!next) {
        next = { kind: "dir", children: new Map() };
        dir.set(part, next);
      }
      // A file seeded where another seed needs a directory: the file wins, as the later path cannot exist.
      if (next.kind !== "dir") {
        ok = false;
        break;
      }
      dir = next.children;
    }
    const leaf = parts.at(-1);
    if (ok && leaf !== undefined && dir.get(leaf)?.kind !== "dir") dir.set(leaf, { kind: "file", bytes });
  }
  return root;
}

/** Git's tree entry order: byte order of names, a directory's name taken with a trailing slash. */
function treeOrder(entries: Map<string, Node>): [string, Node][] {
  const key = ([name, node]: [string, Node]) => Buffer.from(node.kind === "dir" ? `${name}/` : name);
  return [...entries].sort((a, b) => Buffer.compare(key(a), key(b)));
}

/** The git object id of a directory's tree (regular files, mode 100644). */
function gitTreeSha(children: Map<string, Node>): string {
  const parts: Buffer[] = [];
  for (const [name, node] of treeOrder(children)) {
    const sha = node.kind === "dir" ? gitTreeSha(node.children) : gitBlobSha(node.bytes);
    parts.push(Buffer.from(`${node.kind === "dir" ? "40000" : "100644"} ${name}\0`), Buffer.from(sha, "hex"));
  }
  const body = Buffer.concat(parts);
  return createHash("sha1").update(`tree ${body.length}\0`).update(body).digest("hex");
}

function lookup(root: Map<string, Node>, path: string): Node | undefined {
  let node: Node = { kind: "dir", children: root };
  for (const part of path.split("/").filter(Boolean)) {
    if (node.kind !== "dir") return undefined;
    const next = node.children.get(part);
    if (!next) return undefined;
    node = next;
  }
  return node;
}

const encodePath = (path: string) => path.split("/").map(encodeURIComponent).join("/");
const encodeRef = (ref: string) => encodeURIComponent(ref).replaceAll("%2F", "/");

/** Where the server hands out a file's bytes, standing in for raw.githubusercontent.com. */
export function rawUrl(site: Site, ref: string, path: string): string {
  return `${site.api}/_raw/${encodeURIComponent(site.owner)}/${encodeURIComponent(site.repo)}/${encodeURIComponent(ref)}/${encodePath(path)}`;
}

function entry(site: Site, ref: string, path: string, node: Node): Open {
  const api = repoApiUrl(site);
  const url = `${api}/contents/${encodePath(path)}?ref=${encodeRef(ref)}`;
  const isDir = node.kind === "dir";
  const sha = isDir ? gitTreeSha(node.children) : gitBlobSha(node.bytes);
  const html = `${repoHtmlUrl(site)}/${isDir ? "tree" : "blob"}/${encodeRef(ref)}/${encodePath(path)}`;
  const git = `${api}/git/${isDir ? "trees" : "blobs"}/${sha}`;
  return {
    name: path.split("/").at(-1) ?? path,
    path,
    sha,
    size: isDir ? 0 : node.bytes.length,
    url,
    html_url: html,
    git_url: git,
    download_url: isDir ? null : rawUrl(site, ref, path),
    type: isDir ? "dir" : "file",
    _links: { self: url, git, html },
  };
}

/** The contents media type an Accept header asks for (the first GitHub one it names), if any. */
export function contentsMediaType(accept: string | undefined): { param: string; json: boolean; type: string } | undefined {
  for (const range of (accept ?? "").split(",")) {
    const type = range.split(";")[0]!.trim().toLowerCase();
    const match = /^application\/vnd\.github(?:\.v3)?\.(raw|object|html)(\+json)?$/.exec(type);
    if (match) return { param: match[1]!, json: match[2] !== undefined, type };
  }
  return undefined;
}

export interface ContentsRequest {
  state: GitHubState;
  site: Site;
  defaultBranch: string;
  documentationUrl: string | null;
  path: string;
  ref: string | undefined;
  accept: string | undefined;
  /** Marks the request unexpected (a request GitHub answers that this server cannot). */
  unexpected: (reason: string) => void;
}

function tooLarge(documentationUrl: string | null): GitHubHttpError {
  return new GitHubHttpError(
    403,
    "This API returns blobs up to 1 MB in size. The requested blob is too large to fetch via the API, but you can use the Git Data API to request blobs up to 100 MB in size.",
    documentationUrl,
    [{ resource: "Blob", field: "data", code: "too_large" }],
  );
}

export function getContent(req: ContentsRequest): Reply {
  const ref = req.ref || req.defaultBranch;
  const files = treeAt(req.state, req.defaultBranch, ref);
  if (!files) throw new GitHubHttpError(404, `No commit found for the ref ${ref}`, req.documentationUrl);
  const path = normalizePath(req.path);
  const node = path === "" ? undefined : lookup(buildTree(files), path);
  if (!node) throw notFound(req.documentationUrl);
  const media = contentsMediaType(req.accept);
  if (media?.param === "html") {
    // GitHub renders markup here; answering JSON the client did not ask for would hide that the server cannot.
    req.unexpected("repos/get-content: the html media type (rendered markup) is not implemented by the test server");
    throw new GitHubHttpError(
      415,
      `Unsupported 'Accept' header: ${media.type} (not implemented by the GitHub test server)`,
      req.documentationUrl,
    );
  }

  if (node.kind === "dir") {
    const entries = treeOrder(node.children).map(([name, child]) => entry(req.site, ref, `${path}/${name}`, child));
    if (media?.param === "object") return { status: 200, body: { ...entry(req.site, ref, path, node), entries } };
    return { status: 200, body: entries };
  }

  if (media?.param === "raw")
    return {
      status: 200,
      raw: node.bytes,
      // GitHub names the media type it answered with, and claims utf-8 even for binary files.
      headers: {
        "content-type": `${media.type}; charset=utf-8`,
        "x-github-media-type": `github.v3; param=raw${media.json ? "; format=json" : ""}`,
      },
    };
  const large = node.bytes.length > MAX_JSON_CONTENT_BYTES;
  if (large && media?.param !== "object") throw tooLarge(req.documentationUrl);
  const body = {
    ...entry(req.site, ref, path, node),
    content: large ? "" : githubBase64(node.bytes),
    encoding: large ? "none" : "base64",
  };
  const headers: Record<string, string> = media
    ? { "x-github-media-type": `github.v3; param=object${media.json ? "; format=json" : ""}` }
    : {};
  return { status: 200, body, headers };
}

/**
 * A file's bytes at `/_raw/{owner}/{repo}/{ref}/{path}` (the download_url handed out), like
 * raw.githubusercontent.com: `ours` is false for a URL the server cannot have handed out.
 */
export function rawFile(state: GitHubState, site: Site, defaultBranch: string, pathname: string): { ours: boolean; bytes?: Uint8Array } {
  let parts: string[];
  try {
    parts = pathname
      .replace(/^\/_raw\//, "")
      .split("/")
      .map(decodeURIComponent);
  } catch {
    return { ours: false };
  }
  const [owner, repo, ref, ...rest] = parts;
  if (owner?.toLowerCase() !== site.owner.toLowerCase() || repo?.toLowerCase() !== site.repo.toLowerCase() || !ref || rest.length === 0)
    return { ours: false };
  const node = lookup(buildTree(treeAt(state, defaultBranch, ref) ?? new Map()), rest.join("/"));
  return node?.kind === "file" ? { ours: true, bytes: node.bytes } : { ours: true };
}

export interface PutContentRequest {
  state: GitHubState;
  site: Site;
  defaultBranch: string;
  documentationUrl: string | null;
  /** The token's login: the commit's author and committer unless the request names them. */
  login: string;
  path: string;
  body: Record<string, unknown>;
}

function decodeBase64(text: string, documentationUrl: string | null): Uint8Array {
  // Like GitHub: line breaks are allowed (Ruby's encode64 adds them), anything else outside the alphabet is not.
  const compact = text.replace(/[\r\n]/g, "");
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(compact))
    throw new GitHubHttpError(422, "content is not valid Base64", documentationUrl);
  return new Uint8Array(Buffer.from(compact, "base64"));
}

/**
 * `PUT /repos/{owner}/{repo}/contents/{path}`: one commit on `branch` (default: the default branch)
 * that writes the file, as GitHub answers it (measured against api.github.com):
 * - the branch must exist (404, checked first);
 * - replacing a file needs its current blob `sha`: none given is 422 `"sha" wasn't supplied.`, another
 *   one is 409 `<path> does not match <sha>`; creating a file ignores `sha` and answers 201;
 * - the branch's ref moves to the new commit, whose tree is the parent's with the file written
 *   (recorded in `state.commits`; the parent commit keeps seeing its own tree).
 */
export function putContent(req: PutContentRequest): Reply {
  const path = normalizePath(req.path);
  const branch = typeof req.body.branch === "string" ? shortRef(req.body.branch) : req.defaultBranch;
  const ref = req.state.refs.find((r) => r.ref === `refs/heads/${branch}`);
  if (!ref) throw new GitHubHttpError(404, `Branch ${branch} not found`, req.documentationUrl);
  const files = treeAt(req.state, req.defaultBranch, branch) ?? new Map<string, Uint8Array>();
  const existing = lookup(buildTree(files), path);
  if (existing?.kind === "dir") throw new GitHubHttpError(422, `Invalid request.\n\n${path} is a directory.`, req.documentationUrl);
  const given = typeof req.body.sha === "string" ? req.body.sha : undefined;
  if (existing) {
    if (given === undefined) throw new GitHubHttpError(422, `Invalid request.\n\n"sha" wasn't supplied.`, req.documentationUrl);
    if (given !== gitBlobSha(existing.bytes)) throw new GitHubHttpError(409, `${path} does not match ${given}`, req.documentationUrl);
  }
  const bytes = decodeBase64(String(req.body.content), req.documentationUrl);
  const dirs = path.split("/").slice(0, -1);
  for (let i = 1; i <= dirs.length; i++) {
    const dir = dirs.slice(0, i).join("/");
    if (files.has(dir)) throw new GitHubHttpError(422, `Invalid request.\n\n${dir} is a file.`, req.documentationUrl);
  }

  const parent = ref.sha;
  const next = new Map(files);
  next.set(path, bytes);
  const tree = gitTreeSha(buildTree(next));
  const message = String(req.body.message);
  const date = timestamp();
  const person = (value: unknown) => {
    const given = value as { name?: string; email?: string; date?: string } | undefined;
    return {
      name: given?.name ?? req.login,
      email: given?.email ?? `${req.login}@users.noreply.github.com`,
      date: given?.date ?? date,
    };
  };
  const committer = person(req.body.committer);
  const author = req.body.author === undefined ? committer : person(req.body.author);
  const sha = createHash("sha1").update(`commit ${tree}\n${parent}\n${message}\n${req.state.commits.length}`).digest("hex");
  // The parent keeps its tree (its files by sha), the new commit gets the whole new one; later
  // seeds of the same path still win, as everywhere in `files`.
  for (const [file, content] of files) req.state.files.push({ ref: parent, path: file, content });
  for (const [file, content] of next) req.state.files.push({ ref: sha, path: file, content });
  ref.sha = sha;
  req.state.commits.push({ sha, parents: [parent], tree, branch, path, message, author, committer });

  const api = repoApiUrl(req.site);
  const html = repoHtmlUrl(req.site);
  return {
    status: existing ? 200 : 201,
    body: {
      content: entry(req.site, branch, path, { kind: "file", bytes }),
      commit: {
        sha,
        node_id: `C_${Buffer.from(sha).toString("base64url").slice(0, 20)}`,
        url: `${api}/git/commits/${sha}`,
        html_url: `${html}/commit/${sha}`,
        author,
        committer,
        message,
        tree: { url: `${api}/git/trees/${tree}`, sha: tree },
        parents: [{ url: `${api}/git/commits/${parent}`, html_url: `${html}/commit/${parent}`, sha: parent }],
        verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
      },
    },
  };
}
