import { readFileSync } from "node:fs";

/**
 * Reference values computed by packages/operate/test/check/fixtures/make-fixtures.py with Debian's
 * python3 (numpy, scipy): run `/usr/bin/python3 packages/operate/test/check/fixtures/make-fixtures.py`
 * to regenerate fixtures/check-reference.json.
 */
export const reference = JSON.parse(readFileSync(new URL("./fixtures/check-reference.json", import.meta.url), "utf8")) as {
  mod97: [string, boolean][];
  luhn: [string, boolean][];
  lengths: { values: number[]; p50: number; p90: number; p99: number; mean: number };
  banding: [number, number, number, number][];
};
