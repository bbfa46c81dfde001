import { InputError, llmJudgeScorerSchema } from "@llmops/core";
import { z } from "zod";
import { defineScorer } from "./definition.ts";
import { extractJsonObject } from "./json.ts";

const PLACEHOLDER = /\{\{\s*([^{}\s]+)\s*\}\}/g;

/** Placeholders of a rubric that are not output, expected or vars.<name>. */
export function unknownRubricPlaceholders(rubric: string): string[] {
  const bad: string[] = [];
  for (const match of rubric.matchAll(PLACEHOLDER)) {
    const path = match[1]!;
    if (!/^(?:output|expected(?:\.[^.]+)*|vars\.[^.]+(?:\.[^.]+)*)$/.test(path)) bad.push(path);
  }
  return bad;
}

function lookup(root: unknown, path: readonly string[]): { found: boolean; value: unknown } {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, key)) return { found: false, value: undefined };
    value = (value as Record<string, unknown>)[key];
  }
  return { found: true, value };
}

/** Renders {{output}}, {{expected}} and {{vars.x.y}}; objects become JSON. A missing variable is an error. */
export function renderRubric(rubric: string, values: { output: string; expected: unknown; vars: Record<string, unknown> }): string {
  return rubric.replace(PLACEHOLDER, (_, path: string) => {
    const [head, ...rest] = path.split(".");
    const { found, value } = lookup({ output: values.output, expected: values.expected, vars: values.vars }, [head!, ...rest]);
    if (!found || value === undefined) throw new Error(`llm-judge rubric uses {{${path}}}, which the case does not have`);
    return typeof value === "string" ? value : JSON.stringify(value);
  });
}

export function judgeInstructions(scale: number): string {
  const range = scale === 1 ? "a number from 0 to 1" : `a number from 1 to ${scale}`;
  return `\n\nReply with only a JSON object: {"score": <${range}>, "reason": "<one sentence>"}`;
}

export type JudgeVerdict = { ok: true; score: number; reason: string } | { ok: false; reason: string };

/** Parses a judge's reply leniently (bare, fenced or embedded JSON), validates it and normalises the score to [0, 1]. */
export function parseJudgeReply(reply: string, scale: number): JudgeVerdict {
  const low = scale === 1 ? 0 : 1;
  const expected = `expected JSON {"score": number in [${low}, ${scale}], "reason": string}`;
  const numeric = (v: unknown) => (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : v);
  const schema = z.object({ score: z.preprocess(numeric, z.number().min(low).max(scale)), reason: z.string().optional() });
  const parsed = schema.safeParse(extractJsonObject(reply));
  if (!parsed.success) {
    const snippet = reply.replace(/\s+/g, " ").trim().slice(0, 120);
    return { ok: false, reason: `invalid judge reply: ${expected}; got ${JSON.stringify(snippet)}` };
  }
  const score = scale === 1 ? parsed.data.score : (parsed.data.score - 1) / (scale - 1);
  return { ok: true, score, reason: parsed.data.reason ?? "" };
}

export const llmJudgeScorer = defineScorer({
  schemas: { "llm-judge": llmJudgeScorerSchema },
  docs: {
    definition:
      "Asks a judge model to grade the output: the `rubric` is rendered with the case (`{{output}}`, `{{expected}}`, " +
      "`{{vars.x}}`), sent to the judge's `provider` with an instruction to reply with JSON `{score, reason}`, and the " +
      "score is normalised from the `scale` to 0..1. A case passes at 0.5 unless `threshold` says otherwise; a reply " +
      "that cannot be read is a failure with a reason, which `not` does not flip.",
    params:
      "`rubric` (with `{{output}}`, `{{expected}}`, `{{vars.x}}`), `provider` (required), `scale` (1 means 0..1; N means 1..N); threshold 0.5",
    score: "the judge's score, normalised to 0..1",
    reference:
      'LLM-as-a-judge (Zheng et al., 2023, "Judging LLM-as-a-Judge with MT-Bench and Chatbot Arena"); cf. promptfoo\'s `llm-rubric` assertion.',
  },
  create(config, { label }) {
    const unknown = unknownRubricPlaceholders(config.rubric);
    if (unknown.length > 0) {
      throw new InputError(`${label}: rubric placeholder {{${unknown[0]}}} is not one of {{output}}, {{expected}}, {{vars.<name>}}`);
    }
    return {
      defaultThreshold: 0.5,
      async score(output, input, scoreContext) {
        if (!scoreContext.complete) throw new Error(`${label}: llm-judge needs a provider, and none was supplied to score with`);
        const prompt =
          renderRubric(config.rubric, { output, expected: input.expected, vars: input.vars }) + judgeInstructions(config.scale);
        const reply = await scoreContext.complete(prompt, config.provider);
        const verdict = parseJudgeReply(reply, config.scale);
        if (!verdict.ok) return { score: 0, pass: false, invalid: true, reason: verdict.reason };
        return { score: verdict.score, ...(verdict.reason ? { reason: verdict.reason } : {}) };
      },
    };
  },
});
