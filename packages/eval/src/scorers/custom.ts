import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { customScorerSchema, InputError } from "@llmops/core";
import { z } from "zod";
import { defineScorer } from "./definition.ts";
import type { ScorerInput } from "./types.ts";

export type CustomScorerFunction = (input: ScorerInput, options: Record<string, unknown>) => unknown;

/** Imports the scorer function once; a missing module or export is a config problem (exit 2). */
export async function loadCustomScorer(modulePath: string, exportName: string, cwd: string): Promise<CustomScorerFunction> {
  const file = isAbsolute(modulePath) ? modulePath : resolve(cwd, modulePath);
  let namespace: Record<string, unknown>;
  try {
    // webpackIgnore: the bundled action must load the user's file with Node's own import, not a bundle context.
    namespace = (await import(/* webpackIgnore: true */ pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new InputError(`custom scorer module ${modulePath}: cannot be loaded (${(error as Error).message.split("\n")[0]})`);
  }
  const fn = namespace[exportName];
  if (typeof fn !== "function") {
    throw new InputError(`custom scorer module ${modulePath}: expected an exported function "${exportName}", found ${typeof fn}`);
  }
  return fn as CustomScorerFunction;
}

const resultSchema = z.union([
  z.boolean(),
  z.number().finite(),
  z.object({ score: z.number().finite(), pass: z.boolean().optional(), reason: z.string().optional() }),
]);

export type CustomResult = { ok: true; score: number; pass?: boolean; reason?: string } | { ok: false; reason: string };

/** Interprets what a custom function returned: boolean, number, or {score, pass?, reason?}. */
export function interpretCustomResult(value: unknown): CustomResult {
  const parsed = resultSchema.safeParse(value);
  if (!parsed.success) {
    return { ok: false, reason: `custom scorer returned ${describe(value)}; expected a boolean, a number or {score, pass?, reason?}` };
  }
  const result = parsed.data;
  if (typeof result === "boolean") return { ok: true, score: result ? 1 : 0, pass: result };
  if (typeof result === "number") return { ok: true, score: result };
  return {
    ok: true,
    score: result.score,
    ...(result.pass !== undefined ? { pass: result.pass } : {}),
    ...(result.reason !== undefined ? { reason: result.reason } : {}),
  };
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return `an object with keys ${Object.keys(value).join(", ") || "(none)"}`;
  return typeof value === "string" ? `the string ${JSON.stringify(value.slice(0, 40))}` : String(value);
}

export const customScorer = defineScorer({
  schemas: { custom: customScorerSchema },
  docs: {
    definition:
      "Calls a function of your own: the `export` of the JavaScript or TypeScript `module` (relative to the config) " +
      "receives the case's scorer input and `options`. It returns a boolean (pass or fail), a number (the score; " +
      "the threshold, 0.5 by default, decides) or `{score, pass?, reason?}`. A missing module or export is a config " +
      "error before any provider call; any other return value is a failure with a reason, which `not` does not flip.",
    params: "`module`, `export` (default), `options`; threshold 0.5",
    score: "What the function returns: a boolean, a number, or `{score, pass?, reason?}`",
    reference: "Defined here, after promptfoo's `javascript` assertion (a function returning a boolean, a number or a grading result).",
  },
  create(config, { cwd }) {
    let loaded: Promise<CustomScorerFunction> | undefined;
    return {
      defaultThreshold: 0.5,
      async score(_output, input) {
        loaded ??= loadCustomScorer(config.module, config.export, cwd);
        const fn = await loaded;
        const result = interpretCustomResult(await fn(input, config.options ?? {}));
        if (!result.ok) return { score: 0, pass: false, invalid: true, reason: result.reason };
        return {
          score: result.score,
          ...(result.pass !== undefined ? { pass: result.pass } : {}),
          ...(result.reason !== undefined ? { reason: result.reason } : {}),
        };
      },
    };
  },
});
