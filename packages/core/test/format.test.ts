import { describe, expect, it } from "vitest";
import { formatNumber, formatSigned } from "../src/results.ts";

describe("formatNumber", () => {
  // One rule for every number shown to people: integers as they are; else 4 significant digits,
  // trailing zeros dropped, and never a digit before the decimal point dropped.
  it.each([
    [0, "0"],
    [-0, "0"],
    [5, "5"],
    [-3, "-3"],
    [1234567, "1234567"],
    [0.9, "0.9"],
    [0.8, "0.8"],
    [0.1 + 0.2, "0.3"],
    [0.1 + 0.7, "0.8"],
    [5 / 6, "0.8333"],
    [47 / 60, "0.7833"],
    [-0.0416667, "-0.04167"],
    [0.05, "0.05"],
    [0.0005, "0.0005"],
    [0.000123456, "0.0001235"],
    [-0.00001234, "-0.00001234"],
    [1.23456e-7, "1.235e-7"],
    [12.3456, "12.35"],
    [123.456, "123.5"],
    [99.995, "100"],
    [999.96, "1000"],
    [1234.5678, "1235"],
    [-1234.5, "-1235"],
    [0.99995, "1"],
    [1e21, "1e+21"],
    [Number.NaN, "NaN"],
    [Number.POSITIVE_INFINITY, "Infinity"],
    [Number.NEGATIVE_INFINITY, "-Infinity"],
  ])("%s → %s", (value, text) => {
    expect(formatNumber(value)).toBe(text);
  });

  it("signs positive values for deltas, and only those", () => {
    expect([0.05, -0.05, 0, 1 / 3].map(formatSigned)).toEqual(["+0.05", "-0.05", "0", "+0.3333"]);
  });
});
