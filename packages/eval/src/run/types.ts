import type { ChatMessage, ToolResultFixture } from "@llmops/core";

/** One provider call to make: a case's rendered prompt for one repeat. */
export interface RunTask {
  /** Position of the case in the suite. */
  index: number;
  id: string;
  repeat: number;
  prompt: string;
  /** The conversation sent: the prompt's messages, with the case's earlier turns when it has them. */
  messages?: ChatMessage[];
  /** Agent runs: the case's fixtures answering tool calls. */
  toolResults?: ToolResultFixture[];
  vars: Record<string, unknown>;
  expected?: unknown;
  tags: Record<string, string>;
}

export interface RunProgress {
  done: number;
  total: number;
  errors: number;
  cached: number;
}

/** Time, injectable so tests can observe waits without measuring wall time. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
