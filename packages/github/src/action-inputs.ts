import type { z } from "zod";

/**
 * An action's inputs checked against its schema; the first problem becomes a one-line error
 * naming the input as action.yml spells it (schema keys are camelCase, inputs kebab-case).
 */
export function parseActionInputs<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? "").replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    throw new Error(`input ${name}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}
