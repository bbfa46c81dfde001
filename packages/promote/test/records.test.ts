import { InputError, PROMOTION_ARTIFACT_TYPE, type ResolvedVersion } from "@llmops/core";
import type { Store } from "@llmops/store";
import { describe, expect, it } from "vitest";
import {
  ANNOTATION_CREATED,
  ANNOTATION_ENVIRONMENT,
  ANNOTATION_EVENT,
  ANNOTATION_PROMOTION,
  PROMOTION_FILE,
  PROMOTION_FILE_MAX_BYTES,
  RECORD_LIMITS,
  readPromotionRecords,
  writePromotionRecord,
} from "../src/records.ts";
import { renderStatus } from "../src/render.ts";
import { status } from "../src/status.ts";
import { fixture, NAME, writeConfig } from "./helpers.ts";

const CONFIG = `store: store
artifacts:
  ${NAME}: { kind: model, path: model1 }
environments:
  production: {}
`;

/** Attaches a promotion.json written by someone else: any bytes, annotations as a writer would set them. */
async function foreignRecord(store: Store, subject: ResolvedVersion, record: unknown, at: string): Promise<string> {
  const data = typeof record === "string" ? new TextEncoder().encode(record) : new TextEncoder().encode(JSON.stringify(record));
  const { digest } = await store.attachEvidence(subject, {
    artifactType: PROMOTION_ARTIFACT_TYPE,
    files: [{ title: PROMOTION_FILE, mediaType: "application/json", data }],
    annotations: {
      [ANNOTATION_CREATED]: at,
      [ANNOTATION_ENVIRONMENT]: "production",
      [ANNOTATION_EVENT]: "promoted",
      [ANNOTATION_PROMOTION]: "x",
    },
  });
  return digest;
}

function promoted(f: Awaited<ReturnType<typeof fixture>>, fields: Record<string, unknown>) {
  return {
    schemaVersion: 1,
    event: "promoted",
    id: "p1",
    environment: "production",
    name: NAME,
    alias: "production",
    from: null,
    to: f.v2.digest,
    at: "2026-02-01T00:00:00.000Z",
    ...fields,
  };
}

describe("L3: promotion records from the store are bounded and rendered clean", () => {
  it("control characters in a record's reason, evidence time and actor never reach the terminal", async () => {
    const f = await fixture();
    await writeConfig(f.dir, CONFIG);
    await f.store.tag(`${NAME}@${f.v2.digest}`, "production");
    const evil = "\u001b[2J\u001b[31m";
    await foreignRecord(
      f.store,
      f.v2,
      promoted(f, {
        reason: `ok${evil}\r\nforged line\u202e`,
        evidence: [
          { suite: `qa${evil}`, digest: f.v1.digest, passed: true, finishedAt: `${evil}2026-01-01`, ref: `refs/heads/main${evil}` },
        ],
        approvers: [{ login: `mallory${evil}`, state: "approved" }],
      }),
      "2026-02-01T00:00:00.000Z",
    );
    const text = renderStatus(await status({ store: f.store, cwd: f.dir, logger: f.logger }));
    expect(text).toContain("last event promoted at 2026-02-01T00:00:00.000Z: ok[2J[31m forged line");
    expect(text).toContain("approved by mallory[2J[31m");
    expect(text).toContain("evidence qa[2J[31m: passed [2J[31m202 refs/heads/main[2J[31m (");
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f\u202e]/);
  });

  it("a record with a reason beyond the limit, or a promotion.json over the size cap, is skipped; a 4000-character reason is read", async () => {
    const f = await fixture();
    const huge = await foreignRecord(
      f.store,
      f.v2,
      promoted(f, { reason: "x".repeat(RECORD_LIMITS.text + 1) }),
      "2026-02-01T00:00:01.000Z",
    );
    const fits = await foreignRecord(f.store, f.v2, promoted(f, { reason: "y".repeat(RECORD_LIMITS.text) }), "2026-02-01T00:00:00.000Z");
    const padded = JSON.stringify(promoted(f, {})).replace(/}$/, `${" ".repeat(PROMOTION_FILE_MAX_BYTES)}}`);
    const big = await foreignRecord(f.store, f.v2, padded, "2026-02-01T00:00:02.000Z");
    const read = await readPromotionRecords(f.store, f.v2, { logger: f.logger });
    expect(read.map((r) => r.digest)).toEqual([fits]);
    expect(f.logger.lines.some((l) => l.message.includes(huge) && l.message.includes("skipped"))).toBe(true);
    expect(
      f.logger.lines.some((l) => l.message.includes(big) && l.message.includes(`over the ${PROMOTION_FILE_MAX_BYTES}-byte limit`)),
    ).toBe(true);
    // The store refuses the oversized file by its declared size, naming it.
    const refused = await f.store
      .readEvidenceFile(f.v2, big, PROMOTION_FILE, { maxBytes: PROMOTION_FILE_MAX_BYTES })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InputError);
    expect((refused as Error).message).toBe(
      `evidence ${big}: file ${PROMOTION_FILE} declares ${padded.length} bytes, over the ${PROMOTION_FILE_MAX_BYTES}-byte limit; refusing to read it`,
    );
  });

  it("writing clips a long reason, target summary and smoke error instead of failing", async () => {
    const f = await fixture();
    const long = "boom ".repeat(5000);
    const digest = await writePromotionRecord(f.store, f.v2, {
      ...(promoted(f, {}) as Parameters<typeof writePromotionRecord>[2]),
      event: "failed",
      reason: long,
      targets: [{ type: "command", summary: long, details: {} }],
      smoke: { suite: "smoke", passed: false, metrics: {}, error: long },
    });
    const [read] = await readPromotionRecords(f.store, f.v2, { logger: f.logger });
    expect(read?.digest).toBe(digest);
    expect(read?.record.reason).toHaveLength(RECORD_LIMITS.text);
    expect(read?.record.reason?.endsWith("…")).toBe(true);
    expect(read?.record.targets[0]?.summary).toHaveLength(RECORD_LIMITS.text);
    expect(read?.record.smoke?.error).toHaveLength(RECORD_LIMITS.text);
  });
});
