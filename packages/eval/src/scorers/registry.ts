import { SCORER_TYPES, type ScorerType } from "@llmops/core";
import { bleuScorer } from "./bleu.ts";
import { budgetScorer, speedScorer } from "./budget.ts";
import { chrfScorer } from "./chrf.ts";
import { classificationScorer } from "./classification.ts";
import { customScorer } from "./custom.ts";
import type { ScorerDefinition } from "./definition.ts";
import { finishReasonScorer } from "./finish-reason.ts";
import { isJsonScorer, jsonSchemaScorer } from "./json.ts";
import { llmJudgeScorer } from "./judge.ts";
import { levenshteinScorer } from "./levenshtein.ts";
import { numericScorer } from "./numeric.ts";
import { answerRelevanceScorer, contextFaithfulnessScorer, contextRecallScorer, contextRelevanceScorer } from "./rag.ts";
import { isRefusalScorer } from "./refusal.ts";
import { regexScorer } from "./regex.ts";
import { rougeScorer } from "./rouge.ts";
import { similarScorer } from "./similar.ts";
import { squadExactMatchScorer, tokenF1Scorer } from "./squad.ts";
import { containsScorer, equalsScorer, startsWithScorer } from "./text.ts";
import { toolCallF1Scorer, toolCallScorer } from "./tool-call.ts";
import { trajectoryScorer } from "./trajectory.ts";

/**
 * Every scorer, one definition per config type (a definition may serve several, as the budgets
 * do), in the order the README lists them. A new scorer is a schema in `@llmops/core`
 * (config/scorers.ts), a definition in its family's file and an entry here.
 */
export const scorerDefinitions: readonly ScorerDefinition[] = [
  equalsScorer,
  containsScorer,
  startsWithScorer,
  regexScorer,
  isJsonScorer,
  jsonSchemaScorer,
  numericScorer,
  levenshteinScorer,
  squadExactMatchScorer,
  tokenF1Scorer,
  bleuScorer,
  rougeScorer,
  chrfScorer,
  classificationScorer,
  budgetScorer,
  speedScorer,
  llmJudgeScorer,
  customScorer,
  toolCallScorer,
  toolCallF1Scorer,
  trajectoryScorer,
  finishReasonScorer,
  isRefusalScorer,
  similarScorer,
  contextFaithfulnessScorer,
  contextRecallScorer,
  contextRelevanceScorer,
  answerRelevanceScorer,
];

/** What is wrong between the config's scorer types and the definitions: a type with none or several, a definition of no type. */
export function registryProblems(definitions: readonly ScorerDefinition[], types: readonly string[]): string[] {
  const problems: string[] = [];
  const known = new Set(types);
  for (const type of types) {
    const count = definitions.filter((definition) => definition.types.includes(type as ScorerType)).length;
    if (count !== 1) problems.push(`scorer type "${type}" has ${count === 0 ? "no definition" : `${count} definitions`}`);
  }
  for (const definition of definitions) {
    for (const type of definition.types) {
      if (!known.has(type)) problems.push(`a definition implements "${type}", which the config schema does not accept`);
    }
  }
  return problems;
}

const problems = registryProblems(scorerDefinitions, SCORER_TYPES);
if (problems.length > 0) throw new Error(`scorer registry: ${problems.join("; ")}`);

const byType = new Map(
  scorerDefinitions.flatMap((definition) => definition.types.map((type): [string, ScorerDefinition] => [type, definition])),
);

/** The definition of a config type. */
export function scorerDefinition(type: ScorerType): ScorerDefinition {
  const definition = byType.get(type);
  if (!definition) throw new Error(`no scorer definition for type "${type}"`);
  return definition;
}
