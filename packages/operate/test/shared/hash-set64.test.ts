import { describe, expect, it } from "vitest";
import { HashSet64 } from "../../src/shared/hash-set64.ts";

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

describe("HashSet64", () => {
  it("agrees with a Set of the same keys through many growths, duplicates included", () => {
    const set = new HashSet64(12);
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

  it("keeps keys that share their high half apart", () => {
    const set = new HashSet64(12);
    for (let lo = 1; lo <= 1000; lo++) expect(set.add(7, lo)).toBe(true);
    for (let lo = 1; lo <= 1000; lo++) expect(set.add(7, lo)).toBe(false);
    expect(set.has(7, 1001)).toBe(false);
    expect(set.size).toBe(1000);
  });

  it("stores the all-zero key as a key of its own", () => {
    const set = new HashSet64();
    expect(set.has(0, 0)).toBe(false);
    expect(set.add(0, 0)).toBe(true);
    expect(set.has(0, 0)).toBe(true);
    expect(set.add(0, 0)).toBe(false);
    expect(set.size).toBe(1);
  });

  it("takes 9 bytes per slot and stays at most maxLoad full", () => {
    const set = new HashSet64(12, { maxLoad: 0.75 });
    const random = xorshift(7);
    for (let i = 0; i < 100_000; i++) set.add(random.next().value, random.next().value);
    const slots = set.bytes / 9;
    expect(set.size / slots).toBeLessThanOrEqual(0.75);
    expect(set.size / slots).toBeGreaterThan(0.35);
  });

  it("with values keeps the first value stored for a key, and agrees with a Map through many growths", () => {
    const set = new HashSet64(12, { values: true });
    const reference = new Map<string, number>();
    const random = xorshift(99);
    for (let i = 0; i < 30_000; i++) {
      const hi = random.next().value % 5000; // many repeats, and shared high halves
      const lo = random.next().value % 3;
      const key = `${hi}:${lo}`;
      expect(set.add(hi, lo, i)).toBe(!reference.has(key));
      if (!reference.has(key)) reference.set(key, i);
    }
    expect(set.size).toBe(reference.size);
    for (const [key, value] of reference) {
      const [hi, lo] = key.split(":").map(Number) as [number, number];
      expect(set.get(hi, lo)).toBe(value);
    }
    expect(set.get(5001, 0)).toBe(-1);
    const edges = new HashSet64(4, { values: true });
    expect(edges.get(0, 0)).toBe(-1);
    expect(edges.add(0, 0, 4_294_967_294)).toBe(true);
    expect(edges.get(0, 0)).toBe(4_294_967_294);
    expect(() => edges.add(1, 1, 4_294_967_295)).toThrow(RangeError);
    expect(() => edges.add(1, 1, -1)).toThrow(RangeError);
    // Signed halves (Math.imul output) name the same key as their unsigned spelling.
    expect(edges.add(-1, -2, 5)).toBe(true);
    expect(edges.get(0xffffffff, 0xfffffffe)).toBe(5);
    expect(edges.has(0xffffffff, 0xfffffffe)).toBe(true);
  });

  it("takes 12 bytes per slot with values, at most half full by default", () => {
    const set = new HashSet64(16, { values: true });
    const random = xorshift(3);
    for (let i = 0; i < 10_000; i++) set.add(random.next().value, random.next().value, i);
    expect(set.size / (set.bytes / 12)).toBeLessThanOrEqual(0.5);
    expect(set.size / (set.bytes / 12)).toBeGreaterThan(0.2);
    expect(() => new HashSet64(16, { maxLoad: 1 })).toThrow(RangeError);
  });
});
