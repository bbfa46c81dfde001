import { createHash } from "node:crypto";
import { type ChatMessage, canonicalJson, type ToolResultFixture } from "@llmops/core";

/**
 * One eval case after loading, whatever its source. A case of a large cases file may keep its
 * fields compactly and give them as accessors (see compact.ts): read the fields you need rather
 * than spreading, cloning or serialising the object itself.
 */
export interface EvalCase {
  /** The case's `id`, or `caseId(vars, expected)`. */
  id: string;
  /** Position in the suite (inline cases first, then the cases file). */
  index: number;
  vars: Record<string, unknown>;
  expected?: unknown;
  /** Slice labels. */
  tags: Record<string, string>;
  metadata?: Record<string, unknown>;
  /** Earlier conversation turns, sent before the prompt's messages. */
  messages?: ChatMessage[];
  /** Fixtures answering tool calls in an agent run. */
  toolResults?: ToolResultFixture[];
  /** Where the case was written, for errors that name it. */
  origin: CaseOrigin;
}

export interface CaseOrigin {
  /** The config file for inline cases; the cases file (or `dataset-ref/file`) otherwise. */
  file: string;
  line?: number;
  column?: number;
  /** `suites[0].cases[3]` for inline cases, `[3]` within a cases file. */
  yamlPath: string;
}

/** A stable id for a case without one: the first 12 hex of sha256 over canonical JSON of {vars, expected}. */
export function caseId(vars: Record<string, unknown>, expected: unknown): string {
  return createHash("sha256")
    .update(canonicalJson(expected === undefined ? { vars } : { vars, expected }))
    .digest("hex")
    .slice(0, 12);
}

/** `case "greeting" (cases.jsonl:4)` — how errors name a case. */
export function describeCase(evalCase: Pick<EvalCase, "id" | "origin">): string {
  const { origin } = evalCase;
  const where = origin.line !== undefined ? `${origin.file}:${origin.line}` : `${origin.file} ${origin.yamlPath}`;
  return `case "${evalCase.id}" (${where})`;
}
