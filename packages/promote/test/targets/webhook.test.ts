import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { webhookTargetSchema } from "@llmops/core";
import type { Store } from "@llmops/store";
import { afterEach, describe, expect, it } from "vitest";
import { TargetError, type TargetVersion } from "../../src/target.ts";
import { WebhookTarget } from "../../src/targets/webhook.ts";
import { context, rejection } from "./helpers.ts";

const SECRET = "whsec-0123456789abcdef";
const TOKEN = "tok-secret-path-part";
const version: TargetVersion = { name: "team/sentiment", digest: "sha256:" + "c".repeat(64), version: "v4" };

interface Received {
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
  /** The receiver's own check of X-Llmops-Signature-256 (null when unsigned). */
  signatureValid: boolean | null;
  at: number;
}

type Reply = { status: number; headers?: Record<string, string>; body?: string };

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A receiver that verifies the HMAC itself and answers from a script of replies (then 200). */
async function receiver(replies: Reply[] = []): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const header = req.headers["x-llmops-signature-256"];
      let signatureValid: boolean | null = null;
      if (typeof header === "string") {
        const expected = Buffer.from(`sha256=${createHmac("sha256", SECRET).update(raw).digest("hex")}`);
        const got = Buffer.from(header);
        signatureValid = got.length === expected.length && timingSafeEqual(got, expected);
      }
      received.push({ path: req.url ?? "", headers: req.headers, body: raw.toString("utf8"), signatureValid, at: Date.now() });
      const reply = replies.shift() ?? { status: 200, body: '{"ok":true}' };
      res.writeHead(reply.status, { "Content-Type": "application/json", ...reply.headers });
      res.end(reply.body ?? "");
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

function target(config: Record<string, unknown>) {
  return new WebhookTarget(webhookTargetSchema.parse({ type: "webhook", ...config }), { baseDelayMs: 5, random: () => 0.5 });
}

const env = { HOOK_TOKEN: TOKEN, HOOK_SECRET: SECRET, DEPLOY_AUTH: "Bearer deploy-credential" };
const ctx = () => context({ store: {} as Store, configDir: "/", env });

describe("webhook target", () => {
  it("posts a signed promote event with the idempotency key; the receiver's own HMAC check passes", async () => {
    const { url, received } = await receiver();
    const t = target({
      url: `${url}/hooks/{{env.HOOK_TOKEN}}?src=llmops`,
      secretEnv: "HOOK_SECRET",
      headers: { Authorization: "{{env.DEPLOY_AUTH}}" },
    });
    const c = ctx();
    const result = await t.apply(version, c);
    expect(result).toMatchObject({ type: "webhook", summary: `webhook ${url} (HTTP 200)`, details: { status: 200, attempts: 1 } });
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request!.path).toBe(`/hooks/${TOKEN}?src=llmops`);
    expect(request!.signatureValid).toBe(true);
    expect(request!.headers["idempotency-key"]).toBe(c.promotionId);
    expect(request!.headers.authorization).toBe("Bearer deploy-credential");
    expect(request!.headers["content-type"]).toBe("application/json");
    const body = JSON.parse(request!.body);
    expect(Object.keys(body)).toEqual(["event", "environment", "name", "digest", "version", "previous", "promotionId", "at"]);
    expect(body).toMatchObject({
      event: "promote",
      environment: "production",
      name: "team/sentiment",
      digest: version.digest,
      version: "v4",
      previous: null,
      promotionId: c.promotionId,
    });
    expect(new Date(body.at).toISOString()).toBe(body.at);
    // Logs name the origin only.
    const logs = c.logger.lines.map((l) => l.message).join("\n");
    expect(logs).toContain(url);
    expect(logs).not.toContain(TOKEN);
    expect(logs).not.toContain("deploy-credential");
  });

  it("sends the rollback event with its own idempotency key and the version it replaces as previous", async () => {
    const { url, received } = await receiver();
    const t = target({ url, secretEnv: "HOOK_SECRET" });
    const c = ctx();
    const applied = await t.apply(version, c);
    await t.rollback({ name: "team/sentiment", digest: "sha256:" + "d".repeat(64), version: "v3" }, applied, c);
    await t.rollback(null, applied, c);
    expect(received.map((r) => r.headers["idempotency-key"])).toEqual([
      c.promotionId,
      `${c.promotionId}-rollback`,
      `${c.promotionId}-rollback`,
    ]);
    expect(received.every((r) => r.signatureValid)).toBe(true);
    const back = JSON.parse(received[1]!.body);
    expect(back).toMatchObject({
      event: "rollback",
      digest: "sha256:" + "d".repeat(64),
      version: "v3",
      previous: { name: "team/sentiment", digest: version.digest, version: "v4" },
    });
    expect(JSON.parse(received[2]!.body)).toMatchObject({ event: "rollback", name: "team/sentiment", digest: null, version: null });
  });

  it("retries 503 and 429 (honouring Retry-After) with the same body and key, then succeeds", async () => {
    const { url, received } = await receiver([{ status: 503 }, { status: 429, headers: { "Retry-After": "1" } }]);
    const c = ctx();
    const result = await target({ url, secretEnv: "HOOK_SECRET", retries: 3 }).apply(version, c);
    expect(result.details).toMatchObject({ attempts: 3, status: 200 });
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => r.body)).size).toBe(1);
    expect(new Set(received.map((r) => r.headers["idempotency-key"])).size).toBe(1);
    expect(received[2]!.at - received[1]!.at).toBeGreaterThanOrEqual(950);
    expect(c.logger.lines.filter((l) => l.level === "warn").map((l) => l.message)).toEqual([
      `webhook: POST ${url}: HTTP 503; retrying in 4 ms (attempt 2 of 4)`,
      `webhook: POST ${url}: HTTP 429; retrying in 1000 ms (attempt 3 of 4)`,
    ]);
  });

  it("gives up after the retries with one line that names the origin, never the secret, token path or header values", async () => {
    const echo = (status: number): Reply => ({
      status,
      body: `{"error":"upstream down for /hooks/${TOKEN} (${SECRET}) auth Bearer deploy-credential"}`,
    });
    const { url, received } = await receiver([echo(502), echo(503), echo(500)]);
    const t = target({
      url: `${url}/hooks/{{env.HOOK_TOKEN}}`,
      secretEnv: "HOOK_SECRET",
      retries: 2,
      headers: { Authorization: "{{env.DEPLOY_AUTH}}" },
    });
    const error = await rejection(t.apply(version, ctx()));
    expect(received).toHaveLength(3);
    expect(error).toBeInstanceOf(TargetError);
    expect(error.message).toBe(
      `target webhook: POST ${url} failed after 3 attempts: HTTP 500: {"error":"upstream down for *** (***) auth ***"}`,
    );
    expect(error.message).not.toMatch(new RegExp(`${TOKEN}|${SECRET}|deploy-credential`));
  });

  it("does not retry a 4xx refusal", async () => {
    const { url, received } = await receiver([{ status: 401, body: "bad signature" }]);
    const error = await rejection(target({ url, retries: 3 }).apply(version, ctx()));
    expect(received).toHaveLength(1);
    expect(error.message).toBe(`target webhook: POST ${url} was refused: HTTP 401: bad signature`);
  });

  it("retries network errors and reports the cause", async () => {
    const { url } = await receiver();
    await new Promise((r) => servers.pop()!.close(r));
    const error = await rejection(target({ url, retries: 1 }).apply(version, ctx()));
    expect(error.message).toBe(`target webhook: POST ${url} failed after 2 attempts: ECONNREFUSED`);
  });

  it("times out each attempt", async () => {
    const server = createServer(() => {});
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    server.closeAllConnections();
    const error = await rejection(target({ url, retries: 0, timeoutMs: 200 }).apply(version, ctx()));
    expect(error.message).toBe(`target webhook: POST ${url} failed after 1 attempt: no answer within 200 ms`);
    server.closeAllConnections();
  });

  it("refuses a missing secret or URL variable in one line naming the variable, not a value", async () => {
    const missingSecret = await rejection(target({ url: "http://127.0.0.1:9/x", secretEnv: "NOPE_SECRET" }).apply(version, ctx()));
    expect(missingSecret.message).toBe(
      "target webhook: secretEnv NOPE_SECRET is not set; expected the HMAC key in it (or remove secretEnv to send unsigned events)",
    );
    const missingVar = await rejection(target({ url: "https://hooks.example/{{env.MISSING_TOKEN}}" }).apply(version, ctx()));
    expect(missingVar.message).toBe("target webhook: url: {{env.MISSING_TOKEN}} is used but MISSING_TOKEN is not set");
    expect(() => target({ url: "https://hooks.example/{{digest}}" })).toThrow(
      "target webhook: url: {{digest}} is not available here; expected {{env.NAME}}",
    );
  });
});
