import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { renderJUnit } from "../src/junit.ts";
import { caseResult, runSummary } from "./fixtures.ts";

const parser = new XMLParser({
  htmlEntities: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  isArray: (name) => ["testsuite", "testcase", "property"].includes(name),
});

describe("renderJUnit", () => {
  const cases = [
    caseResult({ id: "ok", index: 0 }),
    caseResult({
      id: "bad",
      index: 1,
      pass: false,
      output: 'He said "<b>hi</b>" & left\u0000\u0007',
      scores: [{ name: "exact", type: "exact-match", score: 0, pass: false, weight: 1, reason: "expected <4> got 'five'" }],
    }),
    caseResult({ id: "boom", index: 2, pass: false, output: null, error: "HTTP 500: upstream\nsecond line", scores: [] }),
    caseResult({ id: "ok", index: 0, repeat: 1 }),
  ];

  it("is well-formed XML with one testsuite and one testcase per case and repeat", () => {
    const xml = renderJUnit(runSummary(), cases);
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = parser.parse(xml);
    expect(doc.testsuites.tests).toBe("4");
    expect(doc.testsuites.failures).toBe("1");
    expect(doc.testsuites.errors).toBe("1");
    const suite = doc.testsuites.testsuite[0];
    expect(suite.name).toBe("qa");
    expect(suite.testcase.map((t: { name: string }) => t.name)).toEqual(["ok", "bad", "boom", "ok#1"]);
  });

  it("carries scorer reasons in failures and provider errors in errors, escaped", () => {
    const doc = parser.parse(renderJUnit(runSummary(), cases));
    const [, bad, boom] = doc.testsuites.testsuite[0].testcase;
    expect(bad.failure.message).toBe("failed: exact");
    expect(bad.failure["#text"]).toContain("expected <4> got 'five'");
    expect(bad["system-out"]).toBe('He said "<b>hi</b>" & left');
    expect(boom.error.message).toBe("HTTP 500: upstream");
    expect(boom.error["#text"]).toContain("second line");
  });

  it("keeps newlines in attribute values and strips forbidden characters everywhere", () => {
    const xml = renderJUnit(runSummary({ suite: "a\u0001b" }), [caseResult({ id: "line\nbreak\u0002" })]);
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = parser.parse(xml);
    expect(doc.testsuites.testsuite[0].name).toBe("ab");
    expect(doc.testsuites.testsuite[0].testcase[0].name).toBe("line\nbreak");
  });

  it("writes one testsuite per suite when given several", () => {
    const xml = renderJUnit([runSummary(), runSummary({ suite: "other" })], [[caseResult()], [caseResult(), caseResult({ id: "c2" })]]);
    const doc = parser.parse(xml);
    expect(doc.testsuites.testsuite.map((s: { name: string; tests: string }) => [s.name, s.tests])).toEqual([
      ["qa", "1"],
      ["other", "2"],
    ]);
  });
});
