import type { CaseResult, RunSummary } from "@llmops/core";
import { excerpt, stripForbiddenChars } from "./escape.ts";
import { caseLabel } from "./run-summary.ts";

/** Escapes for both text and attribute values (XML 1.0), after dropping characters XML cannot carry at all. */
export function xmlEscape(text: string): string {
  return (
    stripForbiddenChars(text)
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&apos;")
      // Attribute values normalise raw newlines and tabs to spaces; character references survive.
      .replace(/\n/g, "&#10;")
      .replace(/\r/g, "&#13;")
      .replace(/\t/g, "&#9;")
  );
}

function attrs(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`)
    .join("");
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function testcase(suite: string, c: CaseResult): string {
  const open = `    <testcase${attrs({ name: caseLabel(c), classname: `${suite}.${c.provider}`, time: seconds(c.latencyMs) })}`;
  const body: string[] = [];
  if (c.error !== null) {
    body.push(
      `      <error${attrs({ message: excerpt(c.error.split("\n")[0] ?? "", 500), type: "ProviderError" })}>${xmlEscape(c.error)}</error>`,
    );
  } else if (!c.pass) {
    const failing = c.scores.filter((s) => !s.pass);
    const message = failing.length > 0 ? `failed: ${failing.map((s) => s.name).join(", ")}` : "failed";
    const detail = failing.map((s) => `${s.name} (${s.type}): score ${s.score}${s.reason ? ` — ${s.reason}` : ""}`).join("\n");
    body.push(`      <failure${attrs({ message, type: "ScorerFailure" })}>${xmlEscape(detail)}</failure>`);
  }
  if (c.output !== null) body.push(`      <system-out>${xmlEscape(excerpt(c.output, 4000))}</system-out>`);
  return body.length === 0 ? `${open}/>` : `${open}>\n${body.join("\n")}\n    </testcase>`;
}

/**
 * JUnit XML (the dialect CI systems share: Jenkins/Surefire, GitLab, test reporters): one
 * testsuite per suite, one testcase per case and repeat, failures with scorer reasons, errors for
 * provider errors.
 */
export function renderJUnit(summary: RunSummary | RunSummary[], cases: CaseResult[] | CaseResult[][]): string {
  const summaries = Array.isArray(summary) ? summary : [summary];
  const caseLists = summaries.length === 1 && !Array.isArray(cases[0]) ? [cases as CaseResult[]] : (cases as CaseResult[][]);
  let tests = 0;
  let failures = 0;
  let errors = 0;
  let time = 0;
  const suites: string[] = [];
  summaries.forEach((s, i) => {
    const list = caseLists[i] ?? [];
    const f = list.filter((c) => c.error === null && !c.pass).length;
    const e = list.filter((c) => c.error !== null).length;
    const t = list.reduce((sum, c) => sum + c.latencyMs, 0);
    tests += list.length;
    failures += f;
    errors += e;
    time += t;
    const props: string[] = [`      <property${attrs({ name: "suiteDigest", value: s.suiteDigest })}/>`];
    if (s.model) props.push(`      <property${attrs({ name: "model", value: `${s.model.ref}@${s.model.digest}` })}/>`);
    if (s.dataset) props.push(`      <property${attrs({ name: "dataset", value: `${s.dataset.ref}@${s.dataset.digest}` })}/>`);
    for (const g of s.gates)
      props.push(`      <property${attrs({ name: `gate: ${g.description}`, value: g.passed ? "passed" : "failed" })}/>`);
    suites.push(
      [
        `  <testsuite${attrs({ name: s.suite, tests: list.length, failures: f, errors: e, skipped: 0, time: seconds(t), timestamp: s.startedAt })}>`,
        "    <properties>",
        ...props,
        "    </properties>",
        ...list.map((c) => testcase(s.suite, c)),
        "  </testsuite>",
      ].join("\n"),
    );
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: "llmops", tests, failures, errors, time: seconds(time) })}>`,
    ...suites,
    "</testsuites>",
    "",
  ].join("\n");
}
