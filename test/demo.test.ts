import { spawnSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { comparisonSchema } from "@llmops/core";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "llmops-demo-"));
/** run-demo.ts's ALERT_SECRET. */
const ALERT_SECRET = "demo-alert-secret";

/** The fields of `llmops promote --json` checked here. */
interface PromotionResult {
  outcome: string;
  exitCode: number;
  message: string;
  digest: string;
  from: string | null;
  serving: string | null;
  targets: { type: string; status: string; details: Record<string, unknown> }[];
  smoke?: { suite: string; passed: boolean; error?: string };
  notifications: { channel: string; action: string }[];
}

describe("pnpm demo", () => {
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("runs the whole PR loop offline, promotes the candidate and rolls a broken build back", { timeout: 240_000 }, () => {
    const result = spawnSync(process.execPath, [join(root, "examples", "demo", "run-demo.ts")], {
      cwd: root,
      env: { ...process.env, LLMOPS_DEMO_OUT: out },
      encoding: "utf8",
      timeout: 240_000,
    });
    expect(result.stderr).toContain("$ llmops version");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("verdict: pass\npromotion: promoted\nrollback: rolled-back\nmonitor: alerting\nfeedback: demo/reviews:v2\n");

    const comparison = comparisonSchema.parse(JSON.parse(readFileSync(join(out, "compare", "sentiment", "comparison.json"), "utf8")));
    expect(comparison.baseline.source).toBe("alias");
    expect(comparison.matched).toBe(200);
    // The bigram candidate fixes negated reviews: a real, significant improvement on the same cases.
    expect(comparison.metrics.find((m) => m.name === "correct")?.verdict).toBe("significant improvement");

    const comment = readFileSync(join(out, "compare", "sentiment", "comment.md"), "utf8");
    expect(comment).toContain("<!-- llmops:compare suite=sentiment -->");
    expect(comment).toContain("fail → pass");
    const summary = readFileSync(join(out, "job-summary.md"), "utf8");
    expect(summary).toContain(comment.trim().split("\n")[1]);

    // The candidate's promotion: requirements met, model repository updated, smoke eval passed.
    const [promoted, broken] = JSON.parse(readFileSync(join(out, "promote.json"), "utf8")) as [PromotionResult, PromotionResult];
    expect(promoted).toMatchObject({ outcome: "promoted", exitCode: 0, serving: promoted.digest, smoke: { suite: "smoke", passed: true } });
    expect(promoted.from).not.toBe(promoted.digest);
    expect(promoted.targets).toMatchObject([{ type: "model-repository", status: "applied" }]);

    // The broken build met the same requirements (its offline eval passed), failed the smoke eval
    // against the live server and was rolled back: production serves the candidate again.
    expect(broken).toMatchObject({ outcome: "rolled-back", exitCode: 1, from: promoted.digest, serving: promoted.digest });
    expect(broken.smoke).toMatchObject({ suite: "smoke", passed: false });
    expect(broken.targets).toMatchObject([{ type: "model-repository", status: "rolled-back" }]);
    expect(broken.notifications).toEqual([expect.objectContaining({ channel: "webhook", action: "sent" })]);

    // The model repository serves the candidate's directory, which has serving.json; the broken
    // build's directory is gone.
    const modelDir = join(out, "model-repository", "sentiment");
    const config = readFileSync(join(modelDir, "config.pbtxt"), "utf8");
    const served = /versions:\s*\[(\d+)\]/.exec(config)?.[1];
    expect(served).toBe(String(promoted.targets[0]!.details.versionNumber));
    expect(existsSync(join(modelDir, served!, "serving.json"))).toBe(true);
    // After the roll-back, the step's details are the roll-back's: back on `served`, the broken build's number removed.
    expect(broken.targets[0]!.details).toMatchObject({ versionNumber: Number(served), digest: promoted.digest });
    const removed = broken.targets[0]!.details.removed;
    expect(removed).toBeGreaterThan(Number(served));
    expect(existsSync(join(modelDir, String(removed)))).toBe(false);
    const marker = JSON.parse(readFileSync(join(modelDir, ".llmops-versions.json"), "utf8")) as {
      versions: Record<string, { digest: string }>;
    };
    expect(marker.versions[served!]?.digest).toBe(promoted.digest);

    // `llmops status` reads the same from the store: the alias is back on the candidate.
    const status = spawnSync(
      process.execPath,
      [
        join(root, "packages", "cli", "bin", "llmops.js"),
        "status",
        "production",
        "--config",
        join(out, "llmops.promote.yaml"),
        "--store",
        join(out, "store"),
        "--json",
      ],
      { cwd: root, encoding: "utf8" },
    );
    expect(status.status).toBe(0);
    const [production] = (
      JSON.parse(status.stdout) as { environments: { digest: string; previous: string; lastEvent?: { event: string } }[] }
    ).environments;
    // "previous" (what `llmops rollback` would go back to) is the unigram model it replaced, never the broken build.
    expect(production).toMatchObject({ digest: promoted.digest, previous: promoted.from, lastEvent: { event: "rolled-back" } });
    expect(promoted.from).not.toBeNull();

    // The alert reached the webhook receiver, signed with the shared secret.
    const alert = readFileSync(join(out, "alert.txt"), "utf8");
    expect(alert).toContain("llmops: production rolled back");
    expect(alert).toContain("smoke eval smoke failed");
    // The live server's own answer, not only "gates failed".
    expect(alert).toContain("no serving.json");
    const request = JSON.parse(readFileSync(join(out, "alert-request.json"), "utf8")) as { signature: string; body: string };
    expect(request.signature).toBe(`sha256=${createHmac("sha256", ALERT_SECRET).update(request.body).digest("hex")}`);
    expect(`${(JSON.parse(request.body) as { text: string }).text}\n`).toBe(alert);
    expect(result.stderr).toContain("Alert received (signature verified)");

    // Monitoring: the live server still matches its evidence; the German, longer traffic drifted.
    const monitorAlert = readFileSync(join(out, "monitor-alert.txt"), "utf8");
    expect(monitorAlert).toContain("llmops monitor: production/sentiment: input drift");
    expect(monitorAlert).toMatch(/drift in text: language: PSI/);
    const monitorRequest = JSON.parse(readFileSync(join(out, "monitor-alert-request.json"), "utf8")) as { signature: string; body: string };
    expect(monitorRequest.signature).toBe(`sha256=${createHmac("sha256", ALERT_SECRET).update(monitorRequest.body).digest("hex")}`);
    const monitored = JSON.parse(readFileSync(join(out, "monitor.json"), "utf8")) as {
      environments: { monitors: { quality?: { verdict: string } }[] }[];
    };
    expect(monitored.environments[0]?.monitors[0]?.quality?.verdict).toBe("ok");

    // Feedback: three new cases (one duplicate event dropped), the email address redacted.
    expect(result.stderr).toContain("demo/reviews:v2: 3 new cases, 1 personal details redacted");
    // The check report names the planted eval review and the planted email address.
    expect(result.stderr).toMatch(/contamination FAIL[\s\S]*reviews\.jsonl:4 \(n004\) ~ eval\.jsonl:1 \(r0601\)/);
    expect(result.stderr).toMatch(/pii +FAIL +1 found[\s\S]*reviews\.jsonl:5 \(n005\) text: email/);
  });
});
