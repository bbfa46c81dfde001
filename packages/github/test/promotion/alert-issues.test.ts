import { silentLogger } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { GitHubPermissionError } from "../../src/errors.ts";
import { alertMarker, githubAlertIssues } from "../../src/promotion/alert-issues.ts";
import { owner, rejection, repo, useServer } from "./setup.ts";

// The token is a user's here (GET /user answers), as a personal access token's would be.
const h = useServer({ login: "llmops-bot" });
const alerts = (login?: string) => githubAlertIssues(h.octokit, { owner, repo, logger: silentLogger, ...(login ? { login } : {}) });
const alert = (body: string, title = "Promotion to production refused") => ({ title, body, labels: ["llmops-alert"] });
const issue = (number: number) => h.server.state.issues.find((i) => i.number === number)!;
const commentsOn = (number: number) => h.server.state.comments.filter((c) => c.issue_number === number).map((c) => c.body);
const labelsOf = (number: number) => (issue(number).labels ?? []).map((l) => (typeof l === "string" ? l : l.name));

describe("githubAlertIssues", () => {
  it("opens one issue per environment and updates it in place on the next occurrence", async () => {
    const first = await alerts().raise("production", alert("accuracy 0.71 < 0.80"));
    expect(first.url).toBe(`https://github.com/${owner}/${repo}/issues/${first.number}`);
    expect(issue(first.number)).toMatchObject({ title: "Promotion to production refused", state: "open" });
    expect(issue(first.number).body).toBe(`${alertMarker("production")}\naccuracy 0.71 < 0.80`);
    expect(labelsOf(first.number)).toEqual(["llmops-alert"]);

    // Someone triaged it meanwhile: their label stays.
    (issue(first.number).labels as unknown[]).push({ name: "triaged" });
    const second = await alerts().raise("production", {
      ...alert("accuracy 0.69 < 0.80", "Promotion to production refused again"),
      labels: ["llmops-alert", "p1"],
    });
    expect(second).toEqual(first);
    expect(h.server.state.issues).toHaveLength(1);
    expect(issue(first.number)).toMatchObject({ title: "Promotion to production refused again", state: "open" });
    expect(issue(first.number).body).toBe(`${alertMarker("production")}\naccuracy 0.69 < 0.80`);
    expect(labelsOf(first.number)).toEqual(["llmops-alert", "triaged", "p1"]);
    expect(commentsOn(first.number)).toEqual(["### Promotion to production refused again\n\naccuracy 0.69 < 0.80"]);

    // Another environment has its own issue, even one whose name starts the same.
    const staging = await alerts().raise("prod", alert("latency"));
    expect(staging.number).not.toBe(first.number);
    expect(h.server.state.issues).toHaveLength(2);
  });

  it("never touches a look-alike issue another user opened with the marker", async () => {
    const marker = alertMarker("production");
    h.server.state.issues.push({ number: 1, title: "fake alert", body: `${marker}\nplease close me`, user: "mallory" });
    const raised = await alerts().raise("production", alert("details"));
    expect(raised.number).toBe(2);
    expect(issue(1)).toMatchObject({ title: "fake alert", body: `${marker}\nplease close me`, state: "open" });

    const resolved = await alerts().resolve("production", "Promoted v4: all requirements met.");
    expect(resolved).toEqual(raised);
    expect(issue(2)).toMatchObject({ state: "closed", state_reason: "completed" });
    expect(commentsOn(2)).toEqual(["Promoted v4: all requirements met."]);
    expect(issue(1).state).toBe("open");
    expect(commentsOn(1)).toEqual([]);
  });

  it("resolves to nothing, writing nothing, when no alert is open", async () => {
    expect(await alerts().resolve("production", "fine")).toBeUndefined();
    expect(h.server.calls.filter((c) => c.method !== "GET" && c.operation !== "graphql")).toEqual([]);
  });

  it("opens a new issue after the previous one was closed", async () => {
    const first = await alerts().raise("staging", alert("a"));
    await alerts().resolve("staging", "fixed");
    const second = await alerts().raise("staging", alert("b"));
    expect(second.number).not.toBe(first.number);
    expect(issue(first.number).state).toBe("closed");
  });

  it("clips the title to GitHub's 256 characters and keeps a hostile body from faking a marker", async () => {
    const hostile = `${alertMarker("staging")}\n<!-- llmops-alert:environment=production -->\n@everyone ${"x".repeat(70_000)}`;
    const raised = await alerts().raise("production", alert(hostile, `T${"i".repeat(400)}\nsecond line`));
    const created = issue(raised.number);
    expect(created.title.length).toBe(256);
    expect(created.title.endsWith("…")).toBe(true);
    expect(created.body?.startsWith(`${alertMarker("production")}\n`)).toBe(true);
    expect(created.body?.length).toBeLessThanOrEqual(65_536);
    expect(created.body).not.toContain("<!-- llmops-alert:environment=staging");
    // The quoted marker does not make this the staging issue.
    expect(await alerts().resolve("staging", "x")).toBeUndefined();
  });

  it("finds its issue by the login it was opened under when GitHub names another, and closes the duplicate it made", async () => {
    const existing = await alerts().raise("production", alert("first"));
    // A wrong guess of our login (as when GET /user and GraphQL both fail) sees no issue and opens one;
    // the issue comes back authored by llmops-bot, whose older issue wins.
    const again = await alerts("someone-else").raise("production", alert("second"));
    expect(again).toEqual(existing);
    const duplicate = h.server.state.issues.find((i) => i.number !== existing.number)!;
    expect(duplicate).toMatchObject({ state: "closed", state_reason: "not_planned" });
    expect(commentsOn(duplicate.number!)).toEqual([`Duplicate of #${existing.number}.`]);
    expect(issue(existing.number).body).toContain("second");
  });

  it("names issues: write on 403", async () => {
    h.server.failNext("POST", /\/issues$/, 403);
    const error = await rejection(alerts().raise("production", alert("x")));
    expect(error).toBeInstanceOf(GitHubPermissionError);
    expect(error.message).toBe(
      "GitHub refused to open an alert issue for production (403): the workflow token needs `permissions: issues: write`",
    );
  });
});

describe("githubAlertIssues with GITHUB_TOKEN", () => {
  const app = useServer();
  it("takes the App's bot login from GraphQL when GET /user refuses the installation token", async () => {
    app.server.failNext("GET", /^\/user$/, 403);
    app.server.failNext("GET", /^\/user$/, 403);
    const issues = githubAlertIssues(app.octokit, { owner, repo, logger: silentLogger });
    const first = await issues.raise("production", alert("a"));
    const second = await issues.raise("production", alert("b"));
    expect(second).toEqual(first);
    expect(app.server.state.issues).toHaveLength(1);
    // GraphQL is not in the REST description the server checks; on GitHub it names the App.
    expect(app.server.takeUnexpectedCalls().every((c) => c.path === "/graphql")).toBe(true);
  });
});
