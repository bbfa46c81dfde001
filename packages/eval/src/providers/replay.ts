import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { InputError, type ReplayProviderConfig } from "@llmops/core";
import { configIdentity } from "./identity.ts";
import { structuredResponse } from "./structured.ts";
import { type Provider, type ProviderCall, type ProviderContext, ProviderError } from "./types.ts";

interface Recording {
  output: string | null;
  error: string | null;
  value: Record<string, unknown>;
}

/**
 * Recorded responses, one JSON object per line: `{id | prompt, output, tokens?, cost?}` (and
 * optionally `toolCalls`, `finishReason`, `ttftMs`, `generationMs`, see structured.ts), with an
 * optional `repeat` index and `error`. A previous run's `results.jsonl` is a valid recording.
 * Matched by case id (and repeat), then by the rendered prompt. An agent run's later model calls
 * need lines with a `turn` (1-based): a call with `turn` > 1 is answered only by those.
 */
export function createReplayProvider(config: ReplayProviderConfig & { id: string }, context: ProviderContext): Provider {
  const path = resolve(context.cwd, config.file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      `provider ${config.id}: recording ${config.file} ${code === "ENOENT" ? "does not exist" : `cannot be read (${code})`}`,
    );
  }
  const byId = new Map<string, Recording>();
  const byPrompt = new Map<string, Recording>();
  const byTurn = new Map<string, Recording>();
  const turnLines = new Map<string, number>();
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new InputError(`${config.file}:${i + 1}: expected one JSON object per line`);
    }
    if (value === null || typeof value !== "object" || Array.isArray(value))
      throw new InputError(`${config.file}:${i + 1}: expected a JSON object`);
    const record = value as Record<string, unknown>;
    const output = typeof record.output === "string" ? record.output : null;
    const error = typeof record.error === "string" && record.error ? record.error : null;
    if (output === null && error === null) throw new InputError(`${config.file}:${i + 1}: expected "output" (a string) or "error"`);
    if (typeof record.id !== "string" && typeof record.prompt !== "string")
      throw new InputError(`${config.file}:${i + 1}: expected "id" or "prompt" to match cases by`);
    const recording = { output, error, value: record };
    if (record.turn !== undefined && record.turn !== null) {
      if (typeof record.turn !== "number" || !Number.isInteger(record.turn) || record.turn < 1)
        throw new InputError(
          `${config.file}:${i + 1}: expected "turn" to be a positive integer (1 for the first model call), got ${JSON.stringify(record.turn)}`,
        );
      if (typeof record.id !== "string") throw new InputError(`${config.file}:${i + 1}: a line with "turn" needs the case's "id"`);
      // One model call of an agent run: answered only to that turn (the first also to a call without one).
      const repeat = typeof record.repeat === "number" ? record.repeat : 0;
      const key = `${record.id}#${repeat}@${record.turn}`;
      const earlier = turnLines.get(key);
      if (earlier !== undefined)
        throw new InputError(
          `${config.file}:${i + 1}: a second recording of turn ${record.turn} of case "${record.id}"${repeat > 0 ? ` (repeat ${repeat})` : ""}; the first is on line ${earlier}`,
        );
      turnLines.set(key, i + 1);
      byTurn.set(key, recording);
      if (record.turn !== 1) return;
    }
    if (typeof record.id === "string") {
      const key = typeof record.repeat === "number" ? `${record.id}#${record.repeat}` : record.id;
      byId.set(key, recording);
      // The first repeat also answers calls that carry no repeat index.
      if (!byId.has(record.id) || record.repeat === 0) byId.set(record.id, recording);
    }
    if (typeof record.prompt === "string" && !byPrompt.has(record.prompt)) byPrompt.set(record.prompt, recording);
  });

  return {
    id: config.id,
    identity: { ...configIdentity(config), source: `sha256:${createHash("sha256").update(text).digest("hex")}` },
    async call(call: ProviderCall) {
      const turn =
        call.caseId !== undefined && call.turn !== undefined ? byTurn.get(`${call.caseId}#${call.repeat ?? 0}@${call.turn}`) : undefined;
      const later = (call.turn ?? 1) > 1;
      const recording = later
        ? turn
        : (turn ??
          (call.caseId !== undefined ? (byId.get(`${call.caseId}#${call.repeat ?? 0}`) ?? byId.get(call.caseId)) : undefined) ??
          byPrompt.get(call.prompt));
      if (!recording) {
        throw new ProviderError(
          later
            ? `no recorded response in ${config.file} for turn ${call.turn} of case "${call.caseId}"`
            : `no recorded response in ${config.file} for ${call.caseId !== undefined ? `case "${call.caseId}" or ` : ""}this prompt`,
          {
            retryable: false,
          },
        );
      }
      if (recording.output === null) throw new ProviderError(`recorded error: ${recording.error}`, { retryable: false });
      const response = structuredResponse({ ...recording.value, output: recording.output }, `recording ${config.file}`);
      // A results.jsonl line records tokens per second rather than the generation time it came from.
      const tps = recording.value.tokensPerSecond;
      if (response.generationMs === undefined && typeof tps === "number" && tps > 0 && response.tokens)
        response.generationMs = (response.tokens.completion / tps) * 1000;
      return response;
    },
  };
}
