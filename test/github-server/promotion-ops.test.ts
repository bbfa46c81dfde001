// What a promotion asks of GitHub besides deployments: the run's environment approvals, issues
// updated and closed in place, branches and file commits through the contents API, pull requests.
import { gitBlobSha } from "@llmops/test/github-server";
import type { Octokit } from "@octokit/rest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { failure, repo, type Server, startWithOctokit } from "./setup.ts";

let server: Server;
let octokit: Octokit;
beforeEach(async () => {
  ({ server, octokit } = await startWithOctokit({ login: "llmops-bot" }));
});
afterEach(() => server.close());

// Sends what octokit's types would refuse: the point is to see the server refuse it too.
function untyped(route: string, params: Record<string, unknown>) {
  return octokit.request(route, params);
}

const b64 = (text: string) => Buffer.from(text).toString("base64");
const decode = (content: string) => Buffer.from(content, "base64").toString("utf8");

async function readText(path: string, ref?: string): Promise<{ text: string; sha: string }> {
  const res = await octokit.rest.repos.getContent({ ...repo, path, ...(ref === undefined ? {} : { ref }) });
  const data = res.data as { content: string; sha: string };
  return { text: decode(data.content), sha: data.sha };
}

async function mainSha(): Promise<string> {
  return (await octokit.rest.git.getRef({ ...repo, ref: "heads/main" })).data.object.sha;
}

describe("actions/get-reviews-for-run", () => {
  it("answers the seeded reviews of that run, with users and environments filled in", async () => {
    server.state.workflowRuns.push({ id: 41 }, { id: 42 });
    server.state.environments.push({ name: "production" });
    server.state.approvals.push(
      { run_id: 41, state: "approved", user: "alice", comment: "ship it", environments: ["production"] },
      { run_id: 41, state: "rejected", user: "bob", environments: ["staging"] },
      { run_id: 42, state: "approved", user: "carol" },
    );
    const { data, status } = await octokit.rest.actions.getReviewsForRun({ ...repo, run_id: 41 });
    expect(status).toBe(200);
    expect(data.map((r) => [r.user.login, r.state, r.comment, r.environments.map((e) => e.name)])).toEqual([
      ["alice", "approved", "ship it", ["production"]],
      ["bob", "rejected", "", ["staging"]],
    ]);
    const production = (await octokit.rest.repos.getEnvironment({ ...repo, environment_name: "production" })).data;
    expect(data[0]?.environments[0]).toMatchObject({ id: production.id, url: production.url });
    expect(data[0]).not.toHaveProperty("run_id");
  });

  it("answers an empty list for a run nobody reviewed and 404 for a run that does not exist", async () => {
    server.state.workflowRuns.push({ id: 43 });
    expect((await octokit.rest.actions.getReviewsForRun({ ...repo, run_id: 43 })).data).toEqual([]);
    expect((await failure(octokit.rest.actions.getReviewsForRun({ ...repo, run_id: 999 }))).status).toBe(404);
  });
});

describe("issues/get and issues/update", () => {
  it("updates title, body and labels, closes with a reason and reopens", async () => {
    const { data: created } = await octokit.rest.issues.create({ ...repo, title: "alert", body: "first", labels: ["llmops-alert"] });
    const number = created.number;
    const updated = await octokit.rest.issues.update({
      ...repo,
      issue_number: number,
      title: "alert again",
      body: "second",
      labels: ["llmops-alert", "production"],
    });
    expect(updated.data).toMatchObject({ title: "alert again", body: "second", state: "open" });
    expect(updated.data.labels.map((l) => (typeof l === "string" ? l : l.name))).toEqual(["llmops-alert", "production"]);

    const closed = await octokit.rest.issues.update({ ...repo, issue_number: number, state: "closed", state_reason: "completed" });
    expect(closed.data).toMatchObject({ state: "closed", state_reason: "completed", closed_by: { login: "llmops-bot" } });
    expect(closed.data.closed_at).toEqual(expect.any(String));
    const fetched = await octokit.rest.issues.get({ ...repo, issue_number: number });
    expect(fetched.data).toMatchObject({ number, state: "closed", body: "second", user: { login: "llmops-bot" } });

    const reopened = await octokit.rest.issues.update({ ...repo, issue_number: number, state: "open" });
    expect(reopened.data).toMatchObject({ state: "open", state_reason: "reopened", closed_at: null });
    expect((await octokit.rest.issues.listForRepo({ ...repo, state: "closed" })).data).toHaveLength(0);
  });

  it("closes as completed when no reason is given, and keeps a seeded author given as a login", async () => {
    server.state.issues.push({ number: 3, title: "look-alike", body: "<!-- marker -->", user: "mallory" });
    const closed = await octokit.rest.issues.update({ ...repo, issue_number: 3, state: "closed" });
    expect(closed.data).toMatchObject({ state_reason: "completed", user: { login: "mallory", type: "User" } });
  });

  it("gets a pull request as an issue, and 404s for a number that is neither", async () => {
    server.state.pulls.push({ number: 1 });
    const pull = await octokit.rest.issues.get({ ...repo, issue_number: 1 });
    expect(pull.data.pull_request?.url).toBe(`${server.url}/repos/octo-org/octo-repo/pulls/1`);
    expect((await failure(octokit.rest.issues.get({ ...repo, issue_number: 2 }))).status).toBe(404);
    expect((await failure(octokit.rest.issues.update({ ...repo, issue_number: 2, body: "x" }))).status).toBe(404);
  });

  it("refuses titles longer than GitHub's 256 characters, on create and update", async () => {
    const long = "t".repeat(257);
    const created = await failure(octokit.rest.issues.create({ ...repo, title: long }));
    expect(created.status).toBe(422);
    expect(created.data.errors).toEqual([
      { resource: "Issue", code: "custom", field: "title", message: "title is too long (maximum is 256 characters)" },
    ]);
    const { data } = await octokit.rest.issues.create({ ...repo, title: "t".repeat(256) });
    expect((await failure(octokit.rest.issues.update({ ...repo, issue_number: data.number, title: long }))).status).toBe(422);
  });

  it("refuses a body the description does not allow, and counts it unexpected", async () => {
    const { data } = await octokit.rest.issues.create({ ...repo, title: "alert" });
    const bad = await failure(
      untyped("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...repo, issue_number: data.number, state: "resolved" }),
    );
    expect(bad.status).toBe(422);
    expect(bad.message).toContain(`"resolved" is not a member of ["open","closed"]`);
    expect(server.takeUnexpectedCalls().map((c) => [c.status, c.operation])).toEqual([[422, "issues/update"]]);
    expect(server.state.issues[0]?.state).toBe("open");
  });
});

describe("git/create-ref", () => {
  it("creates a branch at a known commit; refuses an existing name and an unknown object", async () => {
    const sha = await mainSha();
    const created = await octokit.rest.git.createRef({ ...repo, ref: "refs/heads/llmops/promote-1", sha });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({ ref: "refs/heads/llmops/promote-1", object: { sha, type: "commit" } });
    expect((await octokit.rest.git.getRef({ ...repo, ref: "heads/llmops/promote-1" })).data.object.sha).toBe(sha);

    const again = await failure(octokit.rest.git.createRef({ ...repo, ref: "refs/heads/llmops/promote-1", sha }));
    expect([again.status, again.message]).toEqual([422, "Reference already exists"]);
    const unknown = await failure(octokit.rest.git.createRef({ ...repo, ref: "refs/heads/x", sha: "1".repeat(40) }));
    expect([unknown.status, unknown.message]).toEqual([422, "Object does not exist"]);
  });

  it("refuses a body without sha through the description check", async () => {
    const bad = await failure(untyped("POST /repos/{owner}/{repo}/git/refs", { ...repo, ref: "refs/heads/x" }));
    expect(bad.status).toBe(422);
    expect(bad.message).toContain(`"sha" wasn't supplied.`);
    expect(server.takeUnexpectedCalls().map((c) => c.operation)).toEqual(["git/create-ref"]);
  });
});

describe("repos/create-or-update-file-contents", () => {
  it("creates a file with 201 as one commit that moves the branch, then updates it with its blob sha", async () => {
    server.state.files.push({ path: "deploy/values.yaml", content: "model: a\n" }, { path: "README.md", content: "hi\n" });
    const before = await mainSha();
    const created = await octokit.rest.repos.createOrUpdateFileContents({
      ...repo,
      path: "deploy/new.yaml",
      message: "add new.yaml",
      content: b64("fresh\n"),
    });
    expect(created.status).toBe(201);
    expect(created.data.content).toMatchObject({ path: "deploy/new.yaml", sha: gitBlobSha("fresh\n"), type: "file" });
    const after = await mainSha();
    expect(after).not.toBe(before);
    expect(created.data.commit).toMatchObject({ sha: after, message: "add new.yaml", parents: [{ sha: before }] });
    expect(created.data.commit.committer).toMatchObject({ name: "llmops-bot" });
    expect((await readText("deploy/new.yaml")).text).toBe("fresh\n");
    // The rest of the tree comes along, and the parent commit still sees its own tree.
    expect((await readText("README.md")).text).toBe("hi\n");
    expect((await failure(octokit.rest.repos.getContent({ ...repo, path: "deploy/new.yaml", ref: before }))).status).toBe(404);
    expect((await readText("README.md", before)).text).toBe("hi\n");

    const current = await readText("deploy/values.yaml");
    const updated = await octokit.rest.repos.createOrUpdateFileContents({
      ...repo,
      path: "deploy/values.yaml",
      message: "promote b",
      content: b64("model: b\n"),
      sha: current.sha,
    });
    expect(updated.status).toBe(200);
    expect((await readText("deploy/values.yaml")).text).toBe("model: b\n");
    expect((await readText("deploy/values.yaml", after)).text).toBe("model: a\n");
    expect(server.state.commits.map((c) => [c.branch, c.path, c.message])).toEqual([
      ["main", "deploy/new.yaml", "add new.yaml"],
      ["main", "deploy/values.yaml", "promote b"],
    ]);
  });

  it("answers 409 for a stale sha and 422 for a missing one, changing nothing", async () => {
    server.state.files.push({ path: "values.yaml", content: "model: a\n" });
    const before = await mainSha();
    const stale = await failure(
      octokit.rest.repos.createOrUpdateFileContents({ ...repo, path: "values.yaml", message: "m", content: b64("x"), sha: "0".repeat(40) }),
    );
    expect([stale.status, stale.message]).toEqual([409, `values.yaml does not match ${"0".repeat(40)}`]);
    const missing = await failure(
      octokit.rest.repos.createOrUpdateFileContents({ ...repo, path: "values.yaml", message: "m", content: b64("x") }),
    );
    expect([missing.status, missing.message]).toEqual([422, `Invalid request.\n\n"sha" wasn't supplied.`]);
    expect(await mainSha()).toBe(before);
    expect(server.state.commits).toEqual([]);
  });

  it("writes on another branch only, and answers 404 for a branch that does not exist", async () => {
    server.state.files.push({ path: "values.yaml", content: "model: a\n" });
    const base = await mainSha();
    await octokit.rest.git.createRef({ ...repo, ref: "refs/heads/promote", sha: base });
    const { sha } = await readText("values.yaml", "promote");
    await octokit.rest.repos.createOrUpdateFileContents({
      ...repo,
      path: "values.yaml",
      branch: "promote",
      message: "m",
      content: b64("model: b\n"),
      sha,
    });
    expect((await readText("values.yaml", "promote")).text).toBe("model: b\n");
    expect((await readText("values.yaml", "main")).text).toBe("model: a\n");
    expect(await mainSha()).toBe(base);
    const gone = await failure(
      octokit.rest.repos.createOrUpdateFileContents({ ...repo, path: "values.yaml", branch: "nope", message: "m", content: b64("x") }),
    );
    expect([gone.status, gone.message]).toEqual([404, "Branch nope not found"]);
  });

  it("refuses content that is not base64, and a body without message through the description check", async () => {
    const bad = await failure(
      octokit.rest.repos.createOrUpdateFileContents({ ...repo, path: "a.txt", message: "m", content: "not base64!" }),
    );
    expect([bad.status, bad.message]).toEqual([422, "content is not valid Base64"]);
    const shape = await failure(untyped("PUT /repos/{owner}/{repo}/contents/{path}", { ...repo, path: "a.txt", content: b64("x") }));
    expect(shape.status).toBe(422);
    expect(shape.message).toContain(`"message" wasn't supplied.`);
    expect(server.takeUnexpectedCalls().map((c) => c.operation)).toEqual(["repos/create-or-update-file-contents"]);
  });
});

describe("pulls/create", () => {
  async function branchWithCommit(name: string): Promise<void> {
    await octokit.rest.git.createRef({ ...repo, ref: `refs/heads/${name}`, sha: await mainSha() });
    await octokit.rest.repos.createOrUpdateFileContents({ ...repo, path: "v.yaml", branch: name, message: "m", content: b64(name) });
  }

  it("opens a pull request, lists it by owner:branch, and refuses a second one for the same head", async () => {
    await branchWithCommit("promote-1");
    const created = await octokit.rest.pulls.create({ ...repo, head: "promote-1", base: "main", title: "Promote", body: "why" });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({
      state: "open",
      title: "Promote",
      body: "why",
      head: { ref: "promote-1", label: "octo-org:promote-1" },
      base: { ref: "main" },
      user: { login: "llmops-bot" },
    });
    expect(created.data.head.sha).toBe((await octokit.rest.git.getRef({ ...repo, ref: "heads/promote-1" })).data.object.sha);
    const listed = await octokit.rest.pulls.list({ ...repo, head: "octo-org:promote-1", state: "open" });
    expect(listed.data.map((p) => p.number)).toEqual([created.data.number]);
    expect((await octokit.rest.pulls.list({ ...repo, head: "octo-org:other" })).data).toEqual([]);

    const again = await failure(octokit.rest.pulls.create({ ...repo, head: "octo-org:promote-1", base: "main", title: "Promote" }));
    expect(again.status).toBe(422);
    expect(again.data.errors).toEqual([
      { resource: "PullRequest", code: "custom", message: "A pull request already exists for octo-org:promote-1." },
    ]);
  });

  it("refuses an unknown head or base, and a head with nothing to merge", async () => {
    const unknown = await failure(octokit.rest.pulls.create({ ...repo, head: "nope", base: "main", title: "t" }));
    expect(unknown.data.errors).toEqual([{ resource: "PullRequest", field: "head", code: "invalid" }]);
    await octokit.rest.git.createRef({ ...repo, ref: "refs/heads/same", sha: await mainSha() });
    const empty = await failure(octokit.rest.pulls.create({ ...repo, head: "same", base: "main", title: "t" }));
    expect(empty.data.errors).toEqual([{ resource: "PullRequest", code: "custom", message: "No commits between main and same" }]);
    const shape = await failure(untyped("POST /repos/{owner}/{repo}/pulls", { ...repo, head: "same", title: "t" }));
    expect(shape.message).toContain(`"base" wasn't supplied.`);
    expect(server.takeUnexpectedCalls().map((c) => c.operation)).toEqual(["pulls/create"]);
  });
});

describe("repos/get", () => {
  it("names the default branch the server was started with", async () => {
    const other = await startWithOctokit({ defaultBranch: "trunk" });
    try {
      expect((await other.octokit.rest.repos.get(repo)).data.default_branch).toBe("trunk");
    } finally {
      await other.server.close();
    }
  });
});
