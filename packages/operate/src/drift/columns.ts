import type { DriftFeatureConfig } from "@llmops/core";
import { shown } from "../check/display.ts";
import { identifyLanguage } from "./language.ts";
import { characterLength, tokenize } from "./tokenize.ts";

/**
 * The values of one feature, gathered record by record: numbers (or text lengths), category (or
 * language) counts, and token counts for text, split between even and odd records so that half
 * the reference can serve as the vocabulary and the other half says what OOV rate the same
 * distribution gives. Everything is bounded, whatever the records hold: categories past
 * MAX_CATEGORIES share one bucket, a vocabulary stops growing at MAX_VOCABULARY distinct tokens,
 * category values are cut to MAX_CATEGORY_CHARS without control characters.
 */

export const MAX_CATEGORIES = 1_000;
export const MAX_VOCABULARY = 200_000;
export const MAX_CATEGORY_CHARS = 120;
export const MISSING_CATEGORY = "(missing)";
export const OTHER_CATEGORY = "(other)";
const NOT_SCALAR = "(not a scalar)";
const SENTINELS: ReadonlySet<string> = new Set([MISSING_CATEGORY, OTHER_CATEGORY, NOT_SCALAR]);

const NUMERIC_TEXT = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

export interface TokenCounts {
  counts: Map<string, number>;
  total: number;
  /** Distinct tokens beyond MAX_VOCABULARY were not kept. */
  capped: boolean;
}

export interface FeatureColumn {
  feature: DriftFeatureConfig;
  /** Numeric values, or text lengths in characters. */
  numbers: number[];
  /** Records without a usable value (absent, null, wrong type). */
  missing: number;
  /** Categories, or language labels of texts. */
  categories: Map<string, number>;
  /** Distinct categories seen beyond MAX_CATEGORIES (counted under OTHER_CATEGORY). */
  overflow: number;
  /** Text: tokens of even and odd records. */
  tokens: [TokenCounts, TokenCounts];
  /** Records seen, to alternate even and odd. */
  seen: number;
}

export function newColumn(feature: DriftFeatureConfig): FeatureColumn {
  const tokens = (): TokenCounts => ({ counts: new Map(), total: 0, capped: false });
  return { feature, numbers: [], missing: 0, categories: new Map(), overflow: 0, tokens: [tokens(), tokens()], seen: 0 };
}

/**
 * The value at a dotted path of a record, own properties only (a record's `__proto__` key is
 * data, never a way into the prototype); looked up in the record's `vars` object when the record
 * itself has no such field, so eval case files and flat production logs both work.
 */
export function fieldValue(record: Record<string, unknown>, path: string): unknown {
  const at = (root: unknown): unknown => {
    let value: unknown = root;
    for (const part of path.split(".")) {
      if (value === null || typeof value !== "object" || Array.isArray(value) || !Object.hasOwn(value, part)) return undefined;
      value = (value as Record<string, unknown>)[part];
    }
    return value;
  };
  const direct = at(record);
  if (direct !== undefined) return direct;
  return Object.hasOwn(record, "vars") ? at(record.vars) : undefined;
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function addCategory(column: FeatureColumn, key: string): void {
  if (!column.categories.has(key) && column.categories.size >= MAX_CATEGORIES) {
    column.overflow++;
    count(column.categories, OTHER_CATEGORY);
    return;
  }
  count(column.categories, key);
}

/**
 * A category as it is counted and shown. Production values reach the result, the job summary and
 * a (possibly public) alert issue, so personal data and secrets in them are redacted first, as
 * `llmops check` shows them (one line, placeholders like <EMAIL>); a value spelled like one of
 * the placeholders above is kept apart from them.
 */
function categoryOf(value: unknown): string {
  if (value === undefined || value === null) return MISSING_CATEGORY;
  if (typeof value === "string") {
    const category = shown(value, MAX_CATEGORY_CHARS);
    return SENTINELS.has(category) ? `${category} (as written)` : category;
  }
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return NOT_SCALAR;
}

/** Adds one record's value of the column's feature. */
export function addRecord(column: FeatureColumn, record: Record<string, unknown>): void {
  const value = fieldValue(record, column.feature.field);
  const parity = column.seen++ % 2;
  switch (column.feature.type) {
    case "numeric": {
      const number = typeof value === "number" ? value : typeof value === "string" && NUMERIC_TEXT.test(value) ? Number(value) : Number.NaN;
      if (Number.isFinite(number)) column.numbers.push(number);
      else column.missing++;
      return;
    }
    case "categorical": {
      const category = categoryOf(value);
      if (category === MISSING_CATEGORY) column.missing++;
      addCategory(column, category);
      return;
    }
    case "text": {
      if (typeof value !== "string") {
        column.missing++;
        return;
      }
      column.numbers.push(characterLength(value));
      addCategory(column, identifyLanguage(value));
      const bucket = column.tokens[parity as 0 | 1];
      for (const token of tokenize(value)) {
        bucket.total++;
        const n = bucket.counts.get(token);
        if (n !== undefined) bucket.counts.set(token, n + 1);
        else if (bucket.counts.size < MAX_VOCABULARY) bucket.counts.set(token, 1);
        else bucket.capped = true;
      }
      return;
    }
  }
}

/** How many of the column's values count (numbers, categories other than missing, texts). */
export function valueCount(column: FeatureColumn): number {
  if (column.feature.type === "categorical") {
    let n = 0;
    for (const [key, c] of column.categories) if (key !== MISSING_CATEGORY) n += c;
    return n;
  }
  return column.numbers.length;
}
