import { type ChatMessage, canonicalJson, type ToolResultFixture } from "@llmops/core";

/** A problem in a case's `messages` or `toolResults` the schema cannot see, and where it is in the case. */
export interface CaseIssue {
  /** Path inside the case: `["messages", 3, "toolCallId"]`. */
  path: (string | number)[];
  message: string;
}

/**
 * What the chat APIs refuse and the schema does not check: a `tool` turn must answer a tool call
 * of an earlier assistant turn (by its id), once; ids of tool calls are unique in the case.
 */
export function conversationIssue(messages: readonly ChatMessage[]): CaseIssue | undefined {
  const calls = new Set<string>();
  const answered = new Set<string>();
  for (const [i, message] of messages.entries()) {
    for (const [j, call] of (message.toolCalls ?? []).entries()) {
      if (calls.has(call.id))
        return { path: ["messages", i, "toolCalls", j, "id"], message: `expected a unique tool call id; "${call.id}" is used twice` };
      calls.add(call.id);
    }
    if (message.role !== "tool") continue;
    const id = message.toolCallId!;
    if (!calls.has(id))
      return {
        path: ["messages", i, "toolCallId"],
        message: `expected the id of a tool call of an earlier assistant message; "${id}" is none`,
      };
    if (answered.has(id))
      return { path: ["messages", i, "toolCallId"], message: `expected one tool message per tool call; "${id}" is answered twice` };
    answered.add(id);
  }
  return undefined;
}

/** Fixtures must be JSON: YAML can write `.inf` and `.nan`, which no tool call's arguments equal and no model can be sent. */
export function toolResultsIssue(fixtures: readonly ToolResultFixture[]): CaseIssue | undefined {
  for (const [i, fixture] of fixtures.entries()) {
    for (const key of ["arguments", "result"] as const) {
      if (fixture[key] === undefined) continue;
      try {
        canonicalJson(fixture[key]);
      } catch (error) {
        return { path: ["toolResults", i, key], message: `expected JSON (${(error as Error).message.replace(/^\$[^:]*: /, "")})` };
      }
    }
  }
  return undefined;
}

/** The first problem of a case's conversation or fixtures. */
export function caseIssue(config: {
  messages?: readonly ChatMessage[];
  toolResults?: readonly ToolResultFixture[];
}): CaseIssue | undefined {
  return (
    (config.messages && conversationIssue(config.messages)) ?? (config.toolResults && toolResultsIssue(config.toolResults)) ?? undefined
  );
}
