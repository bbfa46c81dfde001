import { describe, expect, it } from "vitest";
import { MAX_PACK_THRESHOLD, packingSchema } from "../src/index.ts";

const firstIssue = (value: unknown) => {
  const r = packingSchema.safeParse(value);
  return r.success ? undefined : { path: r.error.issues[0]!.path.join("."), message: r.error.issues[0]!.message };
};

describe("packingSchema", () => {
  it("accepts the defaults' range and a threshold up to 64 MiB and the target", () => {
    expect(firstIssue({})).toBeUndefined();
    expect(firstIssue({ threshold: 4 * 1024 * 1024, target: 64 * 1024 * 1024, minFiles: 256 })).toBeUndefined();
    expect(firstIssue({ threshold: MAX_PACK_THRESHOLD, target: 2 * MAX_PACK_THRESHOLD })).toBeUndefined();
    expect(firstIssue({ threshold: 65536, target: 65536 })).toBeUndefined();
    expect(MAX_PACK_THRESHOLD).toBe(67108864);
  });

  it("caps the threshold at 64 MiB and at the target, with messages like the target's", () => {
    expect(firstIssue({ threshold: MAX_PACK_THRESHOLD + 1 })).toEqual({
      path: "threshold",
      message: "expected a pack threshold of at most 67108864 bytes",
    });
    expect(firstIssue({ threshold: Number.MAX_SAFE_INTEGER })?.message).toBe("expected a pack threshold of at most 67108864 bytes");
    expect(firstIssue({ threshold: 200_000, target: 100_000 })).toEqual({
      path: "threshold",
      message: "expected a pack threshold of at most the pack target (a pack holds at least one file)",
    });
    expect(firstIssue({ threshold: 0 })?.message).toBe("expected a pack threshold of at least 1 byte");
    expect(firstIssue({ threshold: 1.5 })?.message).toBe("expected a pack threshold in whole bytes");
    expect(firstIssue({ threshold: "big" })?.message).toBe("expected a pack threshold in bytes");
    expect(firstIssue({ minFiles: -1 })?.message).toBe("expected a minimum number of files of at least 0");
    expect(firstIssue({ minFiles: 2.5 })?.message).toBe("expected a whole number of files");
    expect(firstIssue({ target: 100 })?.message).toBe("expected a pack target of at least 65536 bytes");
  });
});
