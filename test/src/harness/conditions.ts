// pre-if / post-if, evaluated with GitHub's own expression engine.
import { data, Evaluator, Lexer, Parser } from "@actions/expressions";
import type { FunctionDefinition } from "@actions/expressions/funcs/info";
import { truthy } from "@actions/expressions/result";

export type JobStatus = { failed: boolean; cancelled: boolean };

const STATUS_FUNCTION = /\b(success|failure|always|cancelled)\s*\(/i;

function statusFunctions(status: JobStatus): Map<string, FunctionDefinition> {
  const fn = (name: string, value: () => boolean): [string, FunctionDefinition] => [
    name,
    { name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(value()) },
  ];
  return new Map([
    fn("success", () => !status.failed && !status.cancelled),
    fn("failure", () => status.failed),
    fn("always", () => true),
    fn("cancelled", () => status.cancelled),
  ]);
}

/**
 * Evaluates a step condition. As in the runner, a condition without a status function is
 * implicitly `success() && (condition)`; `${{ }}` around it is allowed.
 */
export function evaluateCondition(condition: string, status: JobStatus, contexts: Record<string, unknown>): boolean {
  let expression = condition.trim();
  const wrapped = /^\$\{\{([\s\S]*)\}\}$/.exec(expression);
  if (wrapped?.[1] !== undefined) expression = wrapped[1].trim();
  if (!STATUS_FUNCTION.test(expression)) expression = `success() && (${expression})`;
  const functions = statusFunctions(status);
  const lexed = new Lexer(expression).lex();
  const parsed = new Parser(lexed.tokens, Object.keys(contexts), [...functions.values()]).parse();
  const context = JSON.parse(JSON.stringify(contexts), data.reviver) as data.Dictionary;
  return truthy(new Evaluator(parsed, context, functions).evaluate());
}

/** Replaces each `${{ expression }}` in `text` (an input default, say) with its value as a string. */
export function evaluateTemplate(text: string, contexts: Record<string, unknown>): string {
  const context = JSON.parse(JSON.stringify(contexts), data.reviver) as data.Dictionary;
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expression: string) => {
    const lexed = new Lexer(expression.trim()).lex();
    const parsed = new Parser(lexed.tokens, Object.keys(contexts), []).parse();
    return new Evaluator(parsed, context).evaluate().coerceString();
  });
}
