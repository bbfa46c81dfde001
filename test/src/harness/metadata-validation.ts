// Validation of action.yml files and workflows with GitHub's own parser, @actions/workflow-parser
// (the parser behind the Actions language services). It imports its JSON schemas without import
// attributes, so only code running under vitest (which inlines it) can import this module.
import { readFileSync } from "node:fs";
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import { type ActionTemplate, convertActionTemplate, parseAction } from "@actions/workflow-parser/actions/index";
import type { TemplateContext } from "@actions/workflow-parser/templates/template-context";

export type ValidationResult<T> = { errors: string[]; value: T | undefined };

function messages(context: TemplateContext): string[] {
  return context.errors.getErrors().map((e) => e.message);
}

/** Parses an action.yml against the action schema and converts it as the runner's tooling does. */
export function validateActionFile(path: string, content = readFileSync(path, "utf8")): ValidationResult<ActionTemplate> {
  const parsed = parseAction({ name: path, content }, new NoOperationTraceWriter());
  let value: ActionTemplate | undefined;
  if (parsed.value) value = convertActionTemplate(parsed.context, parsed.value);
  return { errors: messages(parsed.context), value };
}

/** Parses a workflow against the workflow schema, then converts it (conversion reports job/step-level errors). */
export async function validateWorkflowFile(path: string, content = readFileSync(path, "utf8")): Promise<ValidationResult<unknown>> {
  const parsed = parseWorkflow({ name: path, content }, new NoOperationTraceWriter());
  const errors = messages(parsed.context);
  if (!parsed.value || errors.length > 0) return { errors, value: undefined };
  const template = await convertWorkflowTemplate(parsed.context, parsed.value);
  const converted = [...messages(parsed.context), ...(template.errors ?? []).map((e) => e.Message)];
  return { errors: [...new Set(converted)], value: template };
}
