import { readFile } from "node:fs/promises";
import { extname, resolve } from "node:path";
import {
  type ChatMessage,
  ConfigError,
  chatMessageSchema,
  formatYamlPath,
  type LocatedYaml,
  type PromptConfig,
  type SourceLocation,
  type SuiteConfig,
} from "@llmops/core";
import { z } from "zod";
import type { EvalCase } from "../cases/types.ts";
import { describeCase } from "../cases/types.ts";
import { lookupPath, parseTemplate, renderParts, type TemplatePart, TemplateSyntaxError } from "./template.ts";

/** A prompt of a suite, read and parsed once, that still knows where it was written. */
export interface ResolvedPrompt {
  /** Position in `prompts` (0 for `prompt`). */
  index: number;
  /** `suites[0].prompt` or `suites[0].prompts[1]`. */
  yamlPath: string;
  location?: SourceLocation;
  /** The prompt file, when the prompt came from one. */
  file?: string;
  /** A text template, or chat messages whose contents are templates. */
  text?: string;
  messages?: ChatMessage[];
  /** Parsed templates: one for text, one per message. */
  parts: TemplatePart[][];
}

export interface RenderedPrompt {
  /** The text sent (for chat messages: `role: content` blocks), recorded in results and hashed by the cache. */
  prompt: string;
  messages?: ChatMessage[];
}

export interface PromptOptions {
  /** Directory prompt files are relative to (the config file's). */
  cwd: string;
  doc?: LocatedYaml;
  /** Where the suite is in the config, for error locations. */
  suiteIndex?: number;
}

const messageFileSchema = z.array(chatMessageSchema).min(1);

/** Reads prompt files and parses every template; syntax errors and missing files are ConfigErrors at the prompt's line. */
export async function resolvePrompts(suite: SuiteConfig, options: PromptOptions): Promise<ResolvedPrompt[]> {
  const configs: PromptConfig[] = suite.prompts ?? (suite.prompt !== undefined ? [suite.prompt] : []);
  const key = suite.prompts ? "prompts" : "prompt";
  return Promise.all(
    configs.map(async (config, index) => {
      const path: (string | number)[] = ["suites", options.suiteIndex ?? 0, key, ...(suite.prompts ? [index] : [])];
      const where = { yamlPath: formatYamlPath(path), location: options.doc?.locate(path) };
      const fail = (expected: string, sub: (string | number)[] = []): never => {
        throw new ConfigError(expected, formatYamlPath([...path, ...sub]), options.doc?.locate([...path, ...sub]));
      };
      let text: string | undefined;
      let messages: ChatMessage[] | undefined;
      let file: string | undefined;
      if (typeof config === "string") text = config;
      else if ("messages" in config) messages = config.messages;
      else {
        file = resolve(options.cwd, config.file);
        let content: string;
        try {
          content = await readFile(file, "utf8");
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          return fail(
            `expected a readable prompt file; ${config.file} ${code === "ENOENT" ? "does not exist" : `cannot be read (${code})`}`,
            ["file"],
          );
        }
        if (extname(file).toLowerCase() === ".json") {
          let parsed: unknown;
          try {
            parsed = JSON.parse(content);
          } catch {
            return fail(`expected ${config.file} to hold JSON chat messages [{role, content}]`, ["file"]);
          }
          const result = messageFileSchema.safeParse(parsed);
          if (!result.success) return fail(`expected ${config.file} to hold JSON chat messages [{role, content}]`, ["file"]);
          messages = result.data;
        } else text = content;
      }
      const templates = text !== undefined ? [text] : (messages ?? []).map((m) => m.content);
      const parts = templates.map((template, i) => {
        try {
          return parseTemplate(template);
        } catch (error) {
          if (error instanceof TemplateSyntaxError) {
            return fail(error.message, messages && !file ? ["messages", i, "content"] : file ? ["file"] : []);
          }
          throw error;
        }
      });
      return {
        index,
        ...where,
        ...(file ? { file } : {}),
        ...(text !== undefined ? { text } : {}),
        ...(messages ? { messages } : {}),
        parts,
      };
    }),
  );
}

/** Renders a prompt with a case's vars. Throws MissingVariableError; `validatePromptVariables` rules that out up front. */
export function renderPrompt(prompt: ResolvedPrompt, vars: Record<string, unknown>): RenderedPrompt {
  if (prompt.messages) {
    const messages = prompt.messages.map((message, i) => ({ ...message, content: renderParts(prompt.parts[i] ?? [], vars) }));
    return { prompt: conversationText(messages), messages };
  }
  return { prompt: renderParts(prompt.parts[0] ?? [], vars) };
}

/**
 * A conversation as the text recorded in results (`role: content` blocks); an assistant turn's
 * tool calls follow its content, one `→ name(arguments JSON)` line each.
 */
export function conversationText(messages: readonly ChatMessage[]): string {
  return messages
    .map((m) => {
      const calls = (m.toolCalls ?? []).map((call) => `\n→ ${call.name}(${JSON.stringify(call.arguments) ?? ""})`).join("");
      return `${m.role}: ${m.content}${calls}`;
    })
    .join("\n\n");
}

/**
 * What is sent for a case with earlier conversation turns (`messages`): the prompt's leading
 * system messages, then the case's messages, then the rest of the prompt's messages (a text
 * prompt is one user message). A prompt message that renders to blank text is left out, so a
 * case whose messages already end with the user's turn may be run with a prompt such as
 * `{{followup}}` set to "" (or a prompt of only a system message). Case messages are sent as
 * written: they are not templates. Without case messages the rendered prompt is unchanged.
 */
export function withCaseMessages(rendered: RenderedPrompt, caseMessages: readonly ChatMessage[] | undefined): RenderedPrompt {
  if (!caseMessages || caseMessages.length === 0) return rendered;
  const own: ChatMessage[] = rendered.messages ?? [{ role: "user", content: rendered.prompt }];
  let lead = 0;
  while (lead < own.length && own[lead]!.role === "system") lead++;
  const rest = own.slice(lead).filter((m) => m.content.trim() !== "" || m.toolCalls !== undefined);
  const messages = [...own.slice(0, lead), ...caseMessages, ...rest];
  return { prompt: conversationText(messages), messages };
}

/** Variable names a prompt uses (root-first paths like `user.name`). */
export function promptVariables(prompt: ResolvedPrompt): { name: string; path: (string | number)[] }[] {
  const seen = new Map<string, (string | number)[]>();
  for (const parts of prompt.parts)
    for (const part of parts) if (part.kind === "variable" && !seen.has(part.name)) seen.set(part.name, part.path);
  return [...seen].map(([name, path]) => ({ name, path }));
}

/**
 * Every case must have every variable every prompt uses, checked before any provider is called:
 * the ConfigError names the case, the variable and the prompt's location.
 */
export function validatePromptVariables(prompts: readonly ResolvedPrompt[], cases: readonly EvalCase[]): void {
  for (const prompt of prompts) {
    const variables = promptVariables(prompt);
    for (const evalCase of cases) {
      for (const variable of variables) {
        if (!lookupPath(evalCase.vars, variable.path).found) {
          throw new ConfigError(
            `expected variable "${variable.name}" used by this prompt, but ${describeCase(evalCase)} does not set it`,
            prompt.yamlPath,
            prompt.location,
          );
        }
      }
    }
  }
}
