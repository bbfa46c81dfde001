import { type ToolCall, toolCallF1ScorerSchema, toolCallScorerSchema } from "@llmops/core";
import { MAX_JSON_DEPTH } from "../providers/tool-calls.ts";
import { binary, defineScorer, quote, round } from "./definition.ts";
import { f1 } from "./helpers.ts";
import { compileSchema, readSchemaFile, schemaErrors } from "./json.ts";
import type { ScorerInput } from "./types.ts";

/** An expected call: a name, and arguments when they are to be compared. */
export interface ExpectedCall {
  name: string;
  /** Present when the arguments are compared; absent: any arguments. */
  arguments?: unknown;
  hasArguments: boolean;
}

/** How actual arguments are compared with expected ones. */
export type ArgumentsMode = "equal" | "subset";

/** Calls beyond this many in one reply or trajectory are not compared: the case fails instead. */
export const MAX_COMPARED_CALLS = 256;
/** JSON nested deeper than MAX_JSON_DEPTH (the depth providers keep parsed arguments to) is never equal (nor a subset): hostile arguments cannot exhaust the stack. */
const MAX_DEPTH = MAX_JSON_DEPTH;

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);

/** Equality of JSON values as their canonical JSON: key order ignored, arrays in order, numbers by value. */
export function jsonEqual(a: unknown, b: unknown, depth = 0): boolean {
  if (depth > MAX_DEPTH) return false;
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i], depth + 1));
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const keys = Object.keys(a).filter((k) => a[k] !== undefined);
    const other = Object.keys(b).filter((k) => b[k] !== undefined);
    return keys.length === other.length && keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k], depth + 1));
  }
  return false;
}

/**
 * `expected` ⊆ `actual`, recursively: every key of an expected object is in the actual object with
 * a matching value; arrays match element by element and have the same length; other values are
 * equal (as Jest's `toMatchObject`).
 */
export function jsonSubset(expected: unknown, actual: unknown, depth = 0): boolean {
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) && expected.length === actual.length && expected.every((item, i) => jsonSubset(item, actual[i], depth + 1))
    );
  }
  if (isObject(expected)) {
    if (!isObject(actual)) return false;
    return Object.keys(expected).every(
      (k) => expected[k] === undefined || (Object.hasOwn(actual, k) && jsonSubset(expected[k], actual[k], depth + 1)),
    );
  }
  return expected === actual;
}

/** Whether an actual call is the expected one: same name, and arguments per `mode` when expected ones are given. */
export function callMatches(expected: ExpectedCall, actual: ToolCall, mode: ArgumentsMode): boolean {
  if (actual.name !== expected.name) return false;
  if (!expected.hasArguments) return true;
  return mode === "equal" ? jsonEqual(expected.arguments, actual.arguments) : jsonSubset(expected.arguments, actual.arguments);
}

/** An expected call from config or case data: a name, or `{name, arguments?}` (other keys, such as an id, are ignored). */
export function expectedCall(value: unknown, where: string): ExpectedCall {
  if (typeof value === "string" && value !== "") return { name: value, hasArguments: false };
  if (isObject(value) && typeof value.name === "string" && value.name !== "") {
    return Object.hasOwn(value, "arguments") && value.arguments !== undefined
      ? { name: value.name, arguments: value.arguments, hasArguments: true }
      : { name: value.name, hasArguments: false };
  }
  throw new Error(`${where}: expected a tool name or {name, arguments?}`);
}

/**
 * A list of expected calls: `list` from config, else the first of the case's `expected` keys that
 * is a list, else `expected` itself when it is one, else the case's single expected call
 * (`expected.toolCall`, or `expected.tool` with `expected.arguments`, the shape `tool-call`
 * reads) as a list of one.
 */
export function expectedCalls(
  list: readonly unknown[] | undefined,
  expected: unknown,
  keys: readonly string[],
  label: string,
): ExpectedCall[] {
  const from = (items: readonly unknown[], where: string) => {
    if (items.length > MAX_COMPARED_CALLS)
      throw new Error(`${label}: ${where} lists ${items.length} calls, more than ${MAX_COMPARED_CALLS}`);
    return items.map((item, i) => expectedCall(item, `${label}: ${where}[${i}]`));
  };
  if (list) return from(list, "config");
  if (isObject(expected)) {
    for (const key of keys) if (Array.isArray(expected[key])) return from(expected[key] as unknown[], `expected.${key}`);
  }
  if (Array.isArray(expected)) return from(expected, "expected");
  if (isObject(expected)) {
    if (expected.toolCall !== undefined) return [expectedCall(expected.toolCall, `${label}: expected.toolCall`)];
    if (typeof expected.tool === "string")
      return [expectedCall({ name: expected.tool, arguments: expected.arguments }, `${label}: expected.tool`)];
  }
  throw new Error(
    `${label}: needs the expected calls: in the config, or the case's expected.${keys.join(" or expected.")}, or one call as expected.tool (+ expected.arguments) or expected.toolCall`,
  );
}

/** `name(arguments)` for reasons: the name quoted, the arguments as bounded JSON. */
export function describeCall(call: { name: string; arguments?: unknown }, withArguments = true): string {
  const name = quote(call.name, 40);
  if (!withArguments || call.arguments === undefined) return name;
  let args: string;
  try {
    args = typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments);
  } catch {
    args = "…";
  }
  return `${name} with ${quote(args, 60)}`;
}

/**
 * The largest number of expected calls matched to distinct actual calls (maximum bipartite
 * matching by augmenting paths, Kuhn's algorithm), and which actual call each expected one got.
 * A greedy pairing is not enough with `subset`: one actual call may satisfy two expected ones.
 */
export function maximumMatching(
  expected: readonly ExpectedCall[],
  actual: readonly ToolCall[],
  mode: ArgumentsMode,
): { size: number; actualFor: (number | undefined)[] } {
  const edges = expected.map((e) => actual.flatMap((a, j) => (callMatches(e, a, mode) ? [j] : [])));
  const expectedFor: (number | undefined)[] = actual.map(() => undefined);
  const augment = (i: number, seen: boolean[]): boolean => {
    for (const j of edges[i]!) {
      if (seen[j]) continue;
      seen[j] = true;
      const holder = expectedFor[j];
      if (holder === undefined || augment(holder, seen)) {
        expectedFor[j] = i;
        return true;
      }
    }
    return false;
  };
  let size = 0;
  for (let i = 0; i < expected.length; i++) {
    if (
      augment(
        i,
        actual.map(() => false),
      )
    )
      size++;
  }
  const actualFor: (number | undefined)[] = expected.map(() => undefined);
  expectedFor.forEach((i, j) => {
    if (i !== undefined) actualFor[i] = j;
  });
  return { size, actualFor };
}

/** The calls a scorer compares; null (with a reason) when there are too many to compare. */
export function comparedCalls(calls: readonly ToolCall[] | undefined, what: string): { calls: ToolCall[] } | { reason: string } {
  const list = calls ?? [];
  if (list.length > MAX_COMPARED_CALLS)
    return { reason: `${what} has ${list.length} tool calls; at most ${MAX_COMPARED_CALLS} are compared` };
  return { calls: [...list] };
}

/** The expected call of `tool-call`: the config's `tool`/`arguments` over the case's expected call. */
function toolCallExpectation(config: { tool?: string | undefined; arguments?: unknown }, expected: unknown, label: string): ExpectedCall {
  let fromCase: ExpectedCall | undefined;
  if (typeof expected === "string" && expected !== "") fromCase = { name: expected, hasArguments: false };
  else if (isObject(expected)) {
    if (Array.isArray(expected.toolCalls)) {
      if (expected.toolCalls.length !== 1) {
        throw new Error(
          `${label}: tool-call compares one expected call, and expected.toolCalls has ${expected.toolCalls.length} (use tool-call-f1 or trajectory)`,
        );
      }
      fromCase = expectedCall(expected.toolCalls[0], `${label}: expected.toolCalls[0]`);
    } else if (expected.toolCall !== undefined) fromCase = expectedCall(expected.toolCall, `${label}: expected.toolCall`);
    else if (typeof expected.tool === "string")
      fromCase = expectedCall({ name: expected.tool, arguments: expected.arguments }, `${label}: expected`);
    else if (typeof expected.name === "string") fromCase = expectedCall(expected, `${label}: expected`);
  }
  const name = config.tool ?? fromCase?.name;
  if (name === undefined) {
    throw new Error(
      `${label}: needs the expected tool: \`tool\` in the config, or the case's expected.tool, expected.toolCall or expected.toolCalls`,
    );
  }
  if (config.arguments !== undefined) return { name, arguments: config.arguments, hasArguments: true };
  // The case's arguments belong to the case's tool: with a different configured tool they are not used.
  if (fromCase?.hasArguments && fromCase.name === name) return { name, arguments: fromCase.arguments, hasArguments: true };
  return { name, hasArguments: false };
}

export const toolCallScorer = defineScorer({
  schemas: { "tool-call": toolCallScorerSchema },
  docs: {
    definition:
      "Passes when the reply made the expected tool call: a call with the expected name (`tool`, else the case's " +
      "`expected.tool`, `expected.toolCall`, the single entry of `expected.toolCalls`, or `expected` itself as a name) " +
      "whose arguments match: with `argumentsMode: equal` they equal the expected `arguments` as canonical JSON (key " +
      "order ignored), with `subset` the expected arguments are contained in the actual ones (recursively; arrays " +
      "element by element), with `schema` they validate against a JSON Schema (`schema` or `schemaFile`, as " +
      "`json-schema`). Without expected arguments only the name is compared. Any call of the reply may match, or with " +
      "`index` only the call at that position (negative counts from the end). It compares exactly one expected call: " +
      "a case whose `expected.toolCalls` lists several is an error for it (score those with `tool-call-f1` or `trajectory`).",
    params:
      "`tool?`, `arguments?` (else the case's `expected`), `argumentsMode` equal/subset/schema (equal), `schema` or `schemaFile` (schema mode), `index?`",
    score: "0/1",
    reference:
      "Defined here, after promptfoo's `is-valid-openai-tools-call` and DeepEval's ToolCorrectnessMetric; subset as Jest's `toMatchObject`; schema validation as `json-schema`. Tests: hand-worked cases in tool-call.test.ts.",
  },
  create(config, { cwd, label }) {
    const validate =
      config.argumentsMode === "schema" ? compileSchema(config.schema ?? readSchemaFile(config.schemaFile!, cwd, label), label) : undefined;
    return {
      defaultThreshold: 1,
      score(_output, input) {
        const expected = toolCallExpectation(config, input.expected, label);
        const compared = comparedCalls(input.toolCalls, "the reply");
        if ("reason" in compared) return binary(false, compared.reason);
        let calls = compared.calls;
        if (config.index !== undefined) {
          const position = config.index < 0 ? calls.length + config.index : config.index;
          const call = calls[position];
          if (!call) return binary(false, `no tool call at index ${config.index} (the reply made ${calls.length})`);
          calls = [call];
        }
        if (calls.length === 0) return binary(false, `no tool call; expected ${quote(expected.name, 40)}`);
        const named = calls.filter((call) => call.name === expected.name);
        if (named.length === 0) {
          return binary(
            false,
            `expected a call of ${quote(expected.name, 40)}, got ${calls
              .slice(0, 3)
              .map((c) => quote(c.name, 40))
              .join(", ")}${calls.length > 3 ? ", …" : ""}`,
          );
        }
        if (validate) {
          if (named.some((call) => validate(call.arguments))) return binary(true);
          validate(named[0]!.arguments);
          return binary(false, `arguments of ${quote(expected.name, 40)} do not match the schema: ${schemaErrors(validate)}`);
        }
        if (named.some((call) => callMatches(expected, call, config.argumentsMode === "subset" ? "subset" : "equal"))) return binary(true);
        return binary(
          false,
          `${quote(expected.name, 40)} was called with ${quote(argumentsText(named[0]!.arguments), 60)}, expected ${config.argumentsMode === "subset" ? "a superset of " : ""}${quote(argumentsText(expected.arguments), 60)}`,
        );
      },
    };
  },
});

function argumentsText(value: unknown): string {
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value) ?? "undefined";
  } catch {
    return "…";
  }
}

/** Precision, recall and F1 of the actual calls against the expected ones (maximum matching; empty against empty is 1). */
export function toolCallF1(
  expected: readonly ExpectedCall[],
  actual: readonly ToolCall[],
  mode: ArgumentsMode,
): { precision: number; recall: number; f1: number; matched: number; actualFor: (number | undefined)[] } {
  if (expected.length === 0 && actual.length === 0) return { precision: 1, recall: 1, f1: 1, matched: 0, actualFor: [] };
  const { size, actualFor } = maximumMatching(expected, actual, mode);
  const precision = actual.length > 0 ? size / actual.length : 0;
  const recall = expected.length > 0 ? size / expected.length : 0;
  return { precision, recall, f1: f1(precision, recall), matched: size, actualFor };
}

export const toolCallF1Scorer = defineScorer({
  schemas: { "tool-call-f1": toolCallF1ScorerSchema },
  docs: {
    definition:
      "F1 of the reply's tool calls against the expected calls (`calls`, else the case's `expected.toolCalls`, or " +
      "`expected` when it is a list, or one call: `expected.toolCall`, or `expected.tool` with `expected.arguments`; " +
      "each a name or `{name, arguments?}`): a true positive is an expected call " +
      "matched to a distinct actual call of the same name whose arguments match per `argumentsMode` (equal or subset, " +
      "as `tool-call`; any arguments when the expected call gives none), counted by maximum matching. Precision is " +
      "matches / actual calls, recall matches / expected calls; no calls expected and none made scores 1. A case " +
      "passes at 1 (every call right, none extra) unless `threshold` says otherwise.",
    params:
      "`calls?` (else the case's `expected.toolCalls`, or `expected.tool`/`expected.toolCall` as one call), `argumentsMode` equal/subset (equal); threshold 1",
    score: "F1 of precision and recall over the calls",
    reference:
      "Defined here, as promptfoo's `tool-call-f1` assertion (F1 over the set of called tool names) extended to arguments and repeated calls. Tests: hand-worked cases in tool-call.test.ts.",
  },
  create(config, { label }) {
    return {
      defaultThreshold: 1,
      score(_output, input: ScorerInput) {
        const expected = expectedCalls(config.calls, input.expected, ["toolCalls"], label);
        const compared = comparedCalls(input.toolCalls, "the reply");
        if ("reason" in compared) return { score: 0, pass: false, reason: compared.reason };
        const actual = compared.calls;
        const result = toolCallF1(expected, actual, config.argumentsMode);
        if (result.f1 === 1) return { score: 1 };
        const missing = expected.findIndex((_, i) => result.actualFor[i] === undefined);
        const used = new Set(result.actualFor);
        const extra = actual.findIndex((_, j) => !used.has(j));
        const parts = [`precision ${round(result.precision)}, recall ${round(result.recall)}`];
        if (missing !== -1) parts.push(`missing ${describeCall(expected[missing]!)}`);
        if (extra !== -1) parts.push(`unexpected ${describeCall(actual[extra]!)}`);
        return { score: result.f1, reason: parts.join("; ") };
      },
    };
  },
});
