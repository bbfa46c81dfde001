import { describe, expect, it } from "vitest";
import { Hash64Set } from "../../src/feedback/hash-set.ts";

/** A deterministic stream of 32-bit values (xorshift32), so a failure can be replayed. */
function* xorshift(seed: number): Generator<number> {
  let x = seed >>> 0 || 1;
  for (;;) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    yield x;
  }
}

describe("Hash64Set", () => {
  it("agrees with a Set of the same keys through many growths, duplicates included", () => {
    const set = new Hash64Set(16);
    const reference = new Set<string>();
    const random = xorshift(42);
    const drawn: [number, number][] = [];
    for (let i = 0; i < 50_000; i++) {
      // One key in four repeats an earlier one.
      const key: [number, number] =
        i > 0 && random.next().value % 4 === 0 ? drawn[random.next().value % drawn.length]! : [random.next().value, random.next().value];
      drawn.push(key);
      const added = set.add(key[0], key[1]);
      expect(added).toBe(!reference.has(`${key[0]}:${key[1]}`));
      reference.add(`${key[0]}:${key[1]}`);
    }
    expect(set.size).toBe(reference.size);
    for (const [hi, lo] of drawn) expect(set.has(hi, lo)).toBe(true);
    let absent = 0;
    for (let i = 0; i < 10_000; i++) {
      const hi = random.next().value;
      const lo = random.next().value;
      if (!reference.has(`${hi}:${lo}`)) {
        absent++;
        expect(set.has(hi, lo)).toBe(false);
      }
    }
    expect(absent).toBeGreaterThan(9_990);
  });

  it("keeps keys that share their high half apart (the slot comes from the high half only)", () => {
    const set = new Hash64Set(16);
    for (let lo = 1; lo <= 1000; lo++) expect(set.add(7, lo)).toBe(true);
    for (let lo = 1; lo <= 1000; lo++) expect(set.add(7, lo)).toBe(false);
    expect(set.has(7, 1001)).toBe(false);
    expect(set.size).toBe(1000);
  });

  it("stores the all-zero key (which marks empty slots internally) as a key of its own", () => {
    const set = new Hash64Set();
    expect(set.has(0, 0)).toBe(false);
    expect(set.add(0, 0)).toBe(true);
    expect(set.has(0, 0)).toBe(true);
    expect(set.add(0, 0)).toBe(false);
    expect(set.size).toBe(1);
  });

  it("takes 8 bytes per slot and stays at most 75% full", () => {
    const set = new Hash64Set(16);
    const random = xorshift(7);
    for (let i = 0; i < 100_000; i++) set.add(random.next().value, random.next().value);
    const slots = set.bytes / 8;
    expect(set.size / slots).toBeLessThanOrEqual(0.75);
    expect(set.size / slots).toBeGreaterThan(0.4);
  });
});
