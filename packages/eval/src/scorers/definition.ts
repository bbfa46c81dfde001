import type { ScorerConfigOf, ScorerType } from "@llmops/core";
import type { z } from "zod";
import type { CorpusValue, ScorerContext, ScorerInput } from "./types.ts";

/**
 * What a scorer computes before the shared rules of createScorer apply. `pass` is set by scorers
 * that decide it themselves (0/1 checks, budgets, custom functions); otherwise the threshold
 * decides. `invalid` marks a result that says nothing about the output (a malformed judge reply),
 * which negation must not turn into a pass.
 */
export interface RawScore {
  score: number;
  pass?: boolean;
  reason?: string;
  invalid?: boolean;
}

/** What a definition builds for one configured scorer; createScorer adds name, weight, threshold and negation. */
export interface ScorerImplementation {
  /** The threshold used when the config sets none and the scorer does not decide `pass` itself. */
  defaultThreshold: number;
  /** Budgets read `threshold` as their bound (a max, or a min for speeds), so it is not a score threshold for them. */
  thresholdIsMax?: boolean;
  score(output: string, input: ScorerInput, context: ScorerContext): RawScore | Promise<RawScore>;
  corpus?(inputs: ScorerInput[]): CorpusValue;
}

export interface ScorerFactoryContext {
  /** Where the config's relative paths (schemaFile, module) start. */
  cwd: string;
  /** `scorer <name>`, the start of the scorer's error messages. */
  label: string;
}

/** A scorer's documentation; the README's table is generated from it. */
export interface ScorerDocs {
  /** One paragraph: what the scorer computes and when a case passes. */
  definition: string;
  /** Its parameters, with their defaults. */
  params: string;
  /** The per-case score. */
  score: string;
  /** The suite-level value, for scorers that compute one over the corpus. */
  corpus?: string;
  /** Where the definition comes from, and what the tests check it against. */
  reference: string;
}

/**
 * One scorer family member: the config types it implements, the `@llmops/core` schema of each
 * (config/scorers.ts), its documentation and its factory. The registry (registry.ts) gathers the
 * definitions; createScorer looks the type up there.
 */
export interface ScorerDefinition<T extends ScorerType = ScorerType> {
  /** The keys of `schemas`. */
  readonly types: readonly T[];
  /**
   * The core schema of each type. Optional only so that a definition of some types fits the
   * registry's list of all; defineScorer requires every key, and the registry test checks each
   * is the very schema of core's union.
   */
  readonly schemas: { readonly [K in T]?: z.ZodType<ScorerConfigOf<K>> };
  readonly docs: ScorerDocs;
  /** Builds the scorer from its validated config; config problems found here are InputErrors. */
  create(config: ScorerConfigOf<T>, context: ScorerFactoryContext): ScorerImplementation;
}

/** A definition whose `types` are the keys of `schemas`, which must name a schema for each. */
export function defineScorer<T extends ScorerType>(definition: {
  schemas: { readonly [K in T]: z.ZodType<ScorerConfigOf<K>> };
  docs: ScorerDocs;
  create(config: ScorerConfigOf<T>, context: ScorerFactoryContext): ScorerImplementation;
}): ScorerDefinition<T> {
  return { types: Object.keys(definition.schemas) as T[], ...definition };
}

/** A 0/1 result that decides `pass` itself. */
export const binary = (ok: boolean, reason?: string): RawScore => ({
  score: ok ? 1 : 0,
  pass: ok,
  ...(reason !== undefined ? { reason } : {}),
});
export const round = (x: number) => Math.round(x * 10_000) / 10_000;
export const quote = (text: string, max = 60) => JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
