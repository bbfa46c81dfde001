import { createHmac, timingSafeEqual } from "node:crypto";
import { recordingLogger } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { type Alert, alertBody, sendWebhook, webhookPayload } from "../src/notify.ts";
import { promote } from "../src/promote.ts";
import { common, fakeGitHub, fakeTargets, fixture, NAME, recordRun, startServer, writeConfig } from "./helpers.ts";

const SECRET = "s3cret-hmac-key-0123456789";
const TOKEN = "T0KEN-in-the-query-abcdef";

const alert: Alert = {
  event: "rolled-back",
  environment: "production",
  name: NAME,
  digest: `sha256:${"a".repeat(64)}`,
  version: "v2",
  serving: `sha256:${"b".repeat(64)}`,
  summary: "smoke eval failed",
  reasons: ["smoke eval smoke failed"],
  promotionId: "0000-1111",
  runUrl: "https://github.com/acme/app/actions/runs/1",
};

describe("notification webhook", () => {
  it("POSTs JSON with a Slack text, signed with HMAC-SHA256 over the raw body; the signature verifies independently", async () => {
    const server = await startServer((_req, _body, res) => res.end("ok"));
    const logger = recordingLogger();
    const sent = await sendWebhook(
      webhookPayload(alert),
      { url: `${server.url}/hook?token={{env.HOOK_TOKEN}}`, secretEnv: "HOOK_SECRET", timeoutMs: 5000 },
      { env: { HOOK_TOKEN: TOKEN, HOOK_SECRET: SECRET }, logger },
    );
    expect(sent).toEqual({ channel: "webhook", action: "sent", target: server.url });
    const [request] = server.requests;
    expect(request?.url).toBe(`/hook?token=${TOKEN}`);
    expect(request?.headers["content-type"]).toBe("application/json");
    const expected = Buffer.from(`sha256=${createHmac("sha256", SECRET).update(request!.body).digest("hex")}`);
    const got = Buffer.from(String(request?.headers["x-llmops-signature-256"]));
    expect(got.length).toBe(expected.length);
    expect(timingSafeEqual(got, expected)).toBe(true);
    const body = JSON.parse(request!.body.toString("utf8"));
    expect(body).toMatchObject({ event: "rolled-back", environment: "production", name: NAME, promotionId: "0000-1111" });
    expect(body.text).toContain("llmops: production rolled back: smoke eval failed");
    const logs = JSON.stringify(logger.lines);
    expect(logs).not.toContain(TOKEN);
    expect(logs).not.toContain(SECRET);
    expect(logs).not.toContain("/hook");
  });

  it("retries once on a 5xx, then reports the failure with the origin only", async () => {
    let calls = 0;
    const server = await startServer((_req, _body, res) => {
      calls++;
      res.statusCode = 503;
      res.end("busy");
    });
    const logger = recordingLogger();
    const sent = await sendWebhook(
      { text: "x" },
      { url: `${server.url}/hook/${TOKEN}`, timeoutMs: 5000 },
      { env: {}, logger, retryDelayMs: 10 },
    );
    expect(calls).toBe(2);
    expect(sent).toEqual({ channel: "webhook", action: "failed", target: server.url, error: "HTTP 503" });
    expect(JSON.stringify(logger.lines)).not.toContain(TOKEN);
  });

  it("does not retry a 4xx; a refused connection is a network error without the URL", async () => {
    let calls = 0;
    const server = await startServer((_req, _body, res) => {
      calls++;
      res.statusCode = 404;
      res.end();
    });
    const logger = recordingLogger();
    expect((await sendWebhook({ text: "x" }, { url: server.url, timeoutMs: 5000 }, { env: {}, logger, retryDelayMs: 10 })).error).toBe(
      "HTTP 404",
    );
    expect(calls).toBe(1);
    const refused = await sendWebhook(
      { text: "x" },
      { url: `http://127.0.0.1:9/${TOKEN}`, timeoutMs: 5000 },
      { env: {}, logger, retryDelayMs: 10 },
    );
    expect(refused).toMatchObject({ action: "failed", target: "http://127.0.0.1:9" });
    expect(refused.error).toMatch(/^network error/);
    expect(JSON.stringify(logger.lines)).not.toContain(TOKEN);
  });

  it("refuses to send unsigned when the secret variable is missing", async () => {
    const server = await startServer((_req, _body, res) => res.end());
    const sent = await sendWebhook(
      { text: "x" },
      { url: server.url, secretEnv: "NOPE", timeoutMs: 5000 },
      { env: {}, logger: recordingLogger() },
    );
    expect(sent.action).toBe("failed");
    expect(server.requests).toHaveLength(0);
  });
});

describe("alert issue body", () => {
  it("escapes text from the store: no live HTML, mentions, links or references", () => {
    const body = alertBody({
      ...alert,
      reasons: ["evidence <img src=x onerror=alert(1)>: ran on refs/heads/@acme/admins see #12 [click](https://evil.example) <!-- x -->"],
      actor: "@octocat",
    });
    expect(body).not.toMatch(/<img|\[click\]\(|@acme|@octocat|#12|https:\/\/evil|<!--/);
    expect(body).toContain("&lt;img");
    expect(body).toContain("[workflow run](https://github.com/acme/app/actions/runs/1)");
  });

  it("in a real refusal, a hostile git ref recorded in the store reaches the issue escaped and the webhook text Slack-escaped", async () => {
    const f = await fixture();
    const hook = await startServer((_req, _body, res) => res.end("ok"));
    await writeConfig(
      f.dir,
      `artifacts:
  ${NAME}: { kind: model, path: model1 }
environments:
  production:
    requires: { evidence: [{ suite: qa, branch: main }] }
notify:
  issue: { labels: [llmops] }
  webhook: { url: "${hook.url}/hook?token={{env.HOOK_TOKEN}}", secretEnv: HOOK_SECRET }
`,
    );
    await recordRun(f.store, f.v2, { suite: "qa", passed: true, ref: "refs/heads/x<script>@everyone [x](https://evil.example)" });
    const github = fakeGitHub();
    const result = await promote({
      ...common(f, fakeTargets(), github),
      env: { HOOK_TOKEN: TOKEN, HOOK_SECRET: SECRET },
      ref: `${NAME}:v2`,
      environment: "production",
    });
    expect(result.outcome).toBe("refused");
    const [raised] = github.raised;
    expect(raised?.labels).toEqual(["llmops"]);
    expect(raised?.body).toContain("only from refs/heads/x&lt;script&gt;@\u200Beveryone \\[x\\]");
    expect(raised?.body).not.toMatch(/<script>|@everyone|\]\(https:\/\/evil/);
    const payload = JSON.parse(hook.requests[0]!.body.toString("utf8"));
    expect(payload.text).toContain("x&lt;script&gt;@everyone");
    expect(result.notifications.map((n) => `${n.channel} ${n.action}`)).toEqual(["issue raised", "webhook sent"]);
    expect(JSON.stringify(f.logger.lines)).not.toContain(TOKEN);
    expect(JSON.stringify(result)).not.toContain(TOKEN);
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });
});
