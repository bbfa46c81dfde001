import * as core from "@actions/core";
import { z } from "zod";

/**
 * Schemas for action inputs as the runner gives them (strings, defaults from action.yml already
 * filled in, trimmed by `core.getInput`): each parses its kind of input once, for every action.
 */
export const actionInput = {
  /** Any string, empty allowed. */
  string: () => z.string(),
  /** A non-empty string; `expected` completes "expected …" in the error. */
  required: (expected: string) => z.string().min(1, `expected ${expected}`),
  /** `true` or `false`, case-insensitive, as YAML 1.2's core schema spells booleans. */
  boolean: () =>
    z
      .string()
      .transform((v) => v.trim().toLowerCase())
      .pipe(z.enum(["true", "false"], "expected true or false"))
      .transform((v) => v === "true"),
  /** Like `boolean`, or empty for "not set" (undefined): the input's default is decided by the action. */
  optionalBoolean: () =>
    z
      .string()
      .transform((v) => v.trim().toLowerCase())
      .pipe(z.enum(["", "true", "false"], "expected true, false or empty"))
      .transform((v) => (v === "" ? undefined : v === "true")),
  /** Items separated by commas or new lines, trimmed, empty ones dropped. */
  list: () => z.string().transform((v) => splitInput(v, /[\n,]/)),
  /** One item per line, trimmed, empty lines dropped. */
  lines: () => z.string().transform((v) => splitInput(v, /\r?\n/)),
};

function splitInput(value: string, separator: RegExp): string[] {
  return value
    .split(separator)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The action.yml name of a schema key: `failOnGate` → `fail-on-gate`. */
export function inputName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * An action's inputs checked against its schema; the first problem becomes a one-line error
 * naming the input as action.yml spells it (schema keys are camelCase, inputs kebab-case).
 */
export function parseActionInputs<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`input ${inputName(String(issue?.path[0] ?? ""))}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}

/**
 * Reads every input the schema names (each key's kebab-case action.yml name) and parses them with
 * it: the whole of an action's input handling. `getInput` is for tests.
 */
export function readActionInputs<S extends z.ZodObject>(schema: S, getInput: (name: string) => string = core.getInput): z.output<S> {
  const raw = Object.fromEntries(Object.keys(schema.shape).map((key) => [key, getInput(inputName(key))]));
  return parseActionInputs(schema, raw);
}
