// The monitor's alert lifecycle against the GitHub REST test server (every request checked against
// GitHub's OpenAPI description): one issue per environment and monitor, opened once, updated while
// the alert lasts, closed with a comment on recovery, never confused with a promotion's issue.

import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { silentLogger } from "@llmops/core";
import { type AlertMessage, notifyMonitor } from "@llmops/operate";
import { describe, expect, it } from "vitest";
import { githubMonitorAlerts, githubMonitorAlertsFromEnv, monitorAlertMarker } from "../../src/monitor/index.ts";
import { alertMarker, githubAlertIssues } from "../../src/promotion/alert-issues.ts";
import { owner, repo, useServer } from "../promotion/setup.ts";

const h = useServer({ login: "llmops-bot" });
const alerts = () => githubMonitorAlerts(h.octokit, { owner, repo, logger: silentLogger });
const issue = (number: number) => h.server.state.issues.find((i) => i.number === number)!;
const commentsOn = (number: number) => h.server.state.comments.filter((c) => c.issue_number === number).map((c) => c.body);
const key = { environment: "production", suite: "sentiment" };

function message(body: string): AlertMessage {
  return {
    key,
    title: "llmops monitor: production/sentiment: input drift",
    body,
    reasons: [body],
    resolvedComment: "Recovered: this monitoring run found no significant regression and no drift.",
    runUrl: "https://github.com/octo-org/octo-repo/actions/runs/7",
  };
}

describe("githubMonitorAlerts", () => {
  it("opens one issue per environment and monitor, updates it while the alert lasts, closes it on recovery", async () => {
    const config = { issue: { labels: ["llmops", "monitor"] } };
    const first = await notifyMonitor("alerting", message("PSI 0.41"), { config, alerts: alerts(), env: {}, logger: silentLogger });
    expect(first).toEqual([{ channel: "issue", action: "opened", target: expect.stringMatching(/\/issues\/\d+$/) }]);
    const number = h.server.state.issues[0]!.number!;
    expect(issue(number)).toMatchObject({ state: "open", title: "llmops monitor: production/sentiment: input drift" });
    expect(issue(number).body).toBe(`${monitorAlertMarker(key)}\nPSI 0.41`);

    const second = await notifyMonitor("alerting", message("PSI 0.52"), { config, alerts: alerts(), env: {}, logger: silentLogger });
    expect(second).toEqual([{ channel: "issue", action: "updated", target: first[0]!.target }]);
    expect(h.server.state.issues).toHaveLength(1);
    expect(issue(number).body).toBe(`${monitorAlertMarker(key)}\nPSI 0.52`);
    expect(commentsOn(number)).toEqual(["### llmops monitor: production/sentiment: input drift\n\nPSI 0.52"]);

    // An inconclusive run (too few values, no baseline) leaves it alone.
    expect(await notifyMonitor("inconclusive", message("x"), { config, alerts: alerts(), env: {}, logger: silentLogger })).toEqual([]);
    expect(issue(number).state).toBe("open");

    const resolved = await notifyMonitor("ok", message("fine"), { config, alerts: alerts(), env: {}, logger: silentLogger });
    expect(resolved).toEqual([{ channel: "issue", action: "resolved", target: first[0]!.target }]);
    expect(issue(number)).toMatchObject({ state: "closed", state_reason: "completed" });
    expect(commentsOn(number).at(-1)).toBe("Recovered: this monitoring run found no significant regression and no drift.");

    // Still fine: nothing open, nothing written.
    const writes = h.server.calls.filter((c) => c.method !== "GET").length;
    expect(await notifyMonitor("ok", message("fine"), { config, alerts: alerts(), env: {}, logger: silentLogger })).toEqual([]);
    expect(h.server.calls.filter((c) => c.method !== "GET").length).toBe(writes);
  });

  it("keeps monitors, environments and the promotion's issue apart", async () => {
    await alerts().raise(key, { title: "a", body: "drift", labels: [] });
    await alerts().raise({ environment: "production", suite: "safety" }, { title: "b", body: "regression", labels: [] });
    await alerts().raise({ environment: "staging", suite: "sentiment" }, { title: "c", body: "drift", labels: [] });
    await githubAlertIssues(h.octokit, { owner, repo, logger: silentLogger }).raise("production", {
      title: "d",
      body: "refused",
      labels: [],
    });
    expect(h.server.state.issues).toHaveLength(4);

    // A successful promotion closes its own issue only; the monitor closes only its own.
    await githubAlertIssues(h.octokit, { owner, repo, logger: silentLogger }).resolve("production", "promoted");
    await alerts().resolve(key, "recovered");
    const open = h.server.state.issues.filter((i) => i.state !== "closed").map((i) => i.title);
    expect(open.sort()).toEqual(["b", "c"]);
    expect(monitorAlertMarker(key)).not.toBe(alertMarker("production"));
  });

  it("never touches a look-alike issue someone else opened with the marker, and defuses a quoted marker", async () => {
    h.server.state.issues.push({ number: 1, title: "fake", body: `${monitorAlertMarker(key)}\nclose me`, user: "mallory" });
    const raised = await alerts().raise(key, { title: "t", body: `<!-- llmops-alert:monitor=staging/x -->`, labels: [] });
    expect(raised).toMatchObject({ number: 2, opened: true });
    expect(issue(2).body).not.toContain("<!-- llmops-alert:monitor=staging");
    await alerts().resolve(key, "ok");
    expect(issue(1).state).toBe("open");
    expect(issue(2).state).toBe("closed");
  });

  it("is absent without a token or a repository", () => {
    expect(githubMonitorAlertsFromEnv({ token: undefined, env: { GITHUB_REPOSITORY: "o/r" }, logger: silentLogger })).toBeUndefined();
    expect(githubMonitorAlertsFromEnv({ token: "t", env: {}, logger: silentLogger })).toBeUndefined();
  });

  it("reports an issue it could not open, and sends the signed webhook for it", async () => {
    const received: { headers: IncomingHttpHeaders; body: string }[] = [];
    const hook = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => {
        body += c.toString();
      });
      req.on("end", () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hooks/T0KEN-in-path`;
      h.server.failNext("POST", /\/issues$/, 403);
      const out = await notifyMonitor("alerting", message("drift"), {
        config: { issue: true, webhook: { url: "{{env.HOOK}}", secretEnv: "HOOK_SECRET", timeoutMs: 5_000 } },
        alerts: alerts(),
        env: { HOOK: url, HOOK_SECRET: "s3cret" },
        logger: silentLogger,
      });
      expect(out[0]).toMatchObject({ channel: "issue", action: "failed", error: expect.stringContaining("issues: write") });
      // Never the path or query of the webhook URL: they may hold a token.
      expect(out[1]).toEqual({ channel: "webhook", action: "sent", target: url.replace(/\/hooks.*/, "") });
      expect(received).toHaveLength(1);
      const body = received[0]!.body;
      expect(received[0]!.headers["x-llmops-signature-256"]).toBe(`sha256=${createHmac("sha256", "s3cret").update(body).digest("hex")}`);
      expect(JSON.parse(body)).toMatchObject({ event: "monitor-alert", environment: "production", suite: "sentiment", reasons: ["drift"] });
    } finally {
      hook.close();
    }
  });
});
