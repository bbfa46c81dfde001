import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  type AgentConfig,
  canonicalJson,
  InputError,
  oneLine,
  type ToolCall,
  type ToolResultFixture,
  type TrajectoryStep,
} from "@llmops/core";

/**
 * How an agent run answers the model's tool calls: from the case's `toolResults` fixtures (the
 * first whose name matches and whose arguments, when given, equal the call's by canonical JSON),
 * else by the suite's module tool of that name, else not at all (an error the model is told of).
 * Everything the model sends is bounded here: tool calls per reply, the size of arguments and of
 * results, the time a module tool may take.
 */

/**
 * The most bytes of tool calls (their arguments' JSON) and tool results (the tool messages) one
 * case's conversation may hold: each is resent on every later turn, so past this the case ends
 * with an error rather than growing the conversation (and the recorded trajectory) further.
 */
export const MAX_CONVERSATION_TOOL_BYTES = 8 * 1024 * 1024;
/** The most tool calls of one reply an agent run answers; a reply with more ends the case with an error. */
export const MAX_TOOL_CALLS_PER_TURN = 128;
/** The largest tool result (its JSON text, UTF-8) sent back, and the largest call arguments answered or recorded. */
export const MAX_TOOL_JSON_BYTES = 1024 * 1024;

/** A module tool: called with the call's parsed arguments; returns any JSON value, or a promise of one. */
export type ToolFunction = (args: unknown, context: { signal: AbortSignal; name: string; id: string }) => unknown;

/** The module tools of a suite, imported once per run. */
export type ModuleTools = ReadonlyMap<string, ToolFunction>;

/** A tool call's answer: what goes in the trajectory, and the tool message's content. */
export interface ToolAnswer {
  source: TrajectoryStep["source"];
  result?: unknown;
  error?: string;
  /** The tool message sent to the model: the result's JSON text, or `{"error": "..."}`. */
  content: string;
}

/**
 * Imports every module tool of `agent` (paths relative to `cwd`, the config's directory) and
 * checks each exports a function: a missing module or export is an InputError naming the tool,
 * found before any provider call.
 */
export async function loadModuleTools(agent: Pick<AgentConfig, "tools">, cwd: string): Promise<ModuleTools> {
  const tools = new Map<string, ToolFunction>();
  for (const [name, { module, export: exportName }] of Object.entries(agent.tools)) {
    const file = isAbsolute(module) ? module : resolve(cwd, module);
    let namespace: Record<string, unknown>;
    try {
      // webpackIgnore: the bundled action must load the user's file with Node's own import, not a bundle context.
      namespace = (await import(/* webpackIgnore: true */ pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (error) {
      const missing = !existsSync(file);
      throw new InputError(
        `agent tool "${name}": module ${module} ${missing ? "does not exist" : `cannot be imported (${oneLine(error).slice(0, 300)})`}`,
      );
    }
    const fn = namespace[exportName];
    if (typeof fn !== "function") {
      throw new InputError(`agent tool "${name}": module ${module} has no exported function "${exportName}" (found ${typeof fn})`);
    }
    tools.set(name, fn as ToolFunction);
  }
  return tools;
}

/** The canonical JSON of a call's arguments, or undefined when they have none (a value JSON cannot hold). */
function canonicalArguments(args: unknown): string | undefined {
  try {
    return canonicalJson(args ?? null);
  } catch {
    return undefined;
  }
}

/** The first fixture answering `call`: same name, and no `arguments` or arguments equal by canonical JSON (key order aside). */
export function findFixture(
  fixtures: readonly ToolResultFixture[] | undefined,
  call: Pick<ToolCall, "name" | "arguments">,
): ToolResultFixture | undefined {
  if (!fixtures) return undefined;
  let args: string | undefined | null = null; // null: not computed yet
  for (const fixture of fixtures) {
    if (fixture.name !== call.name) continue;
    if (fixture.arguments === undefined) return fixture;
    args ??= canonicalArguments(call.arguments);
    if (args !== undefined && canonicalArguments(fixture.arguments) === args) return fixture;
  }
  return undefined;
}

/** UTF-8 length of a JSON text, counted without allocating a buffer. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/** The JSON text of a call's arguments (a raw string when the model sent invalid JSON); undefined when it cannot be written (too deep, a cycle). */
function argumentsJson(args: unknown): string | undefined {
  try {
    return JSON.stringify(args ?? null) ?? "null";
  } catch {
    return undefined;
  }
}

/** UTF-8 bytes of a call's arguments as JSON; Infinity when they cannot be written as JSON at all. */
export function argumentsBytes(call: Pick<ToolCall, "arguments">): number {
  const text = argumentsJson(call.arguments);
  return text === undefined ? Number.POSITIVE_INFINITY : utf8Bytes(text);
}

/**
 * Whether a call's arguments are over the size bound: such a call is refused and its arguments
 * are not recorded. Arguments that cannot be written as JSON (nested too deep to serialise, a
 * cycle) count as too large: `Infinity`.
 */
export function argumentsTooLarge(call: Pick<ToolCall, "arguments">): number | undefined {
  if (typeof call.arguments === "string" && call.arguments.length <= MAX_TOOL_JSON_BYTES / 4) return undefined;
  const bytes = argumentsBytes(call);
  return bytes > MAX_TOOL_JSON_BYTES ? bytes : undefined;
}

function sizeText(bytes: number): string {
  return Number.isFinite(bytes) ? `${bytes} bytes of JSON` : "not writable as JSON";
}

/** Tool names as the config allows them: a name the model sends otherwise is answered with an error and recorded cut. */
export const TOOL_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const MAX_TOOL_NAME_CHARS = 64;

/**
 * A tool call as results record it: arguments over `MAX_TOOL_JSON_BYTES` are replaced by a
 * note of their size, and a name by its first 64 characters, so a model cannot make
 * results.jsonl (or the scorers' input) arbitrarily large.
 */
export function recordedCall(call: ToolCall): ToolCall {
  const bytes = argumentsTooLarge(call);
  const name = call.name.length > MAX_TOOL_NAME_CHARS ? call.name.slice(0, MAX_TOOL_NAME_CHARS) : call.name;
  if (bytes === undefined) return name === call.name ? call : { ...call, name };
  return {
    ...call,
    name,
    arguments: Number.isFinite(bytes)
      ? `<${bytes} bytes of arguments, over the ${MAX_TOOL_JSON_BYTES}-byte limit>`
      : "<arguments not writable as JSON (nested too deep)>",
  };
}

/**
 * The tool calls of a reply as results record them: at most MAX_TOOL_CALLS_PER_TURN, each through
 * `recordedCall`, and once their arguments add up to MAX_CONVERSATION_TOOL_BYTES the rest
 * recorded as a note of their size.
 */
export function recordedCalls(calls: readonly ToolCall[]): ToolCall[] {
  let total = 0;
  return calls.slice(0, MAX_TOOL_CALLS_PER_TURN).map((call) => {
    const recorded = recordedCall(call);
    const bytes = argumentsBytes(recorded);
    total += bytes;
    if (total <= MAX_CONVERSATION_TOOL_BYTES) return recorded;
    return {
      ...recorded,
      arguments: `<${bytes} bytes of arguments, over the ${MAX_CONVERSATION_TOOL_BYTES}-byte limit of a reply's calls>`,
    };
  });
}

type Redact = (text: string) => string;
const keep: Redact = (text) => text;

function errorAnswer(source: ToolAnswer["source"], error: string, redact: Redact = keep): ToolAnswer {
  const text = redact(error);
  return { source, error: text, content: JSON.stringify({ error: text }) };
}

/**
 * A result as it is sent: its JSON text within the bound, and the value that text parses to (what
 * is recorded), secrets redacted from both (a module tool given the environment may echo a key).
 */
function resultAnswer(source: ToolAnswer["source"], value: unknown, redact: Redact = keep): ToolAnswer {
  let content: string | undefined;
  try {
    content = JSON.stringify(value === undefined ? null : value);
  } catch (error) {
    return errorAnswer(source, `the tool returned a value JSON cannot hold (${oneLine(error).slice(0, 200)})`, redact);
  }
  if (content === undefined) return errorAnswer(source, `the tool returned a ${typeof value}, not JSON`);
  const bytes = utf8Bytes(content);
  if (bytes > MAX_TOOL_JSON_BYTES)
    return errorAnswer(source, `the tool's result is ${bytes} bytes of JSON, over the ${MAX_TOOL_JSON_BYTES}-byte limit`);
  const redacted = redact(content);
  if (redacted !== content) {
    // A secret replaced inside a string keeps the JSON valid; one that was more (a number, a key
    // spanning tokens) leaves text that is sent and recorded as a string.
    try {
      return { source, result: JSON.parse(redacted) as unknown, content: redacted };
    } catch {
      return { source, result: redacted, content: JSON.stringify(redacted) };
    }
  }
  return { source, result: JSON.parse(content) as unknown, content };
}

class ToolTimeoutError extends Error {
  constructor(ms: number) {
    super(`timed out after ${ms} ms`);
  }
}

export interface AnswerOptions {
  fixtures?: readonly ToolResultFixture[] | undefined;
  tools: ModuleTools;
  /** How long a module tool may take (the suite's timeoutMs). */
  timeoutMs: number;
  /** The run's stop signal: aborts a module tool in flight. */
  signal?: AbortSignal;
  /**
   * Scrubs secrets from error text and module tool results before they are recorded or sent to
   * the model (the runner's redaction: credential values of the environment).
   */
  redact?: (text: string) => string;
}

/** Answers one tool call. Never throws: every failure is an error answer the model is sent. */
export async function answerToolCall(call: ToolCall, options: AnswerOptions): Promise<ToolAnswer> {
  const redact = options.redact ?? keep;
  if (!TOOL_NAME_PATTERN.test(call.name)) {
    const shown = JSON.stringify(call.name.slice(0, MAX_TOOL_NAME_CHARS)) + (call.name.length > MAX_TOOL_NAME_CHARS ? "…" : "");
    return errorAnswer("missing", `the tool name ${shown} is not 1-64 letters, digits, _ or -; not answered`, redact);
  }
  const tooLarge = argumentsTooLarge(call);
  if (tooLarge !== undefined) {
    return errorAnswer(
      "missing",
      `the call's arguments are ${sizeText(tooLarge)}, over the ${MAX_TOOL_JSON_BYTES}-byte limit; not answered`,
    );
  }
  const fixture = findFixture(options.fixtures, call);
  if (fixture) return fixture.error !== undefined ? errorAnswer("fixture", fixture.error, redact) : resultAnswer("fixture", fixture.result);
  const fn = options.tools.get(call.name);
  if (!fn) return errorAnswer("missing", `no tool result for ${call.name} with these arguments, and no module tool ${call.name}`);
  return runModuleTool(fn, call, options, redact);
}

async function runModuleTool(fn: ToolFunction, call: ToolCall, options: AnswerOptions, redact: Redact): Promise<ToolAnswer> {
  const controller = new AbortController();
  const onStop = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", onStop, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    if (options.signal?.aborted) throw options.signal.reason;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new ToolTimeoutError(options.timeoutMs);
        controller.abort(error);
        reject(error);
      }, options.timeoutMs);
    });
    const stopped = new Promise<never>((_, reject) => {
      controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
    });
    // A tool that ignores the signal still loses the race: the run never waits past the timeout.
    const value = await Promise.race([
      Promise.resolve().then(() => fn(call.arguments, { signal: controller.signal, name: call.name, id: call.id })),
      timeout,
      stopped,
    ]);
    return resultAnswer("module", value, redact);
  } catch (error) {
    // Redacted before it is cut, so a key on the cut is not left half shown.
    return errorAnswer("module", `tool ${call.name} failed: ${redact(oneLine(error)).slice(0, 1000) || "unknown error"}`, redact);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onStop);
  }
}
