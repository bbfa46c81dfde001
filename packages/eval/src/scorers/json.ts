/** The body of the first Markdown code fence (```json … ``` or ``` … ```), if any. */
export function fencedBlock(text: string): string | undefined {
  const match = /```[A-Za-z0-9_-]*[ \t]*\r?\n([\s\S]*?)\r?\n?```/.exec(text);
  return match?.[1];
}

export type JsonParse = { ok: true; value: unknown } | { ok: false; error: string };

/** Parses output as JSON: the whole trimmed text, or (when allowed) the first fenced block. */
export function parseJsonOutput(output: string, allowFence: boolean): JsonParse {
  try {
    return { ok: true, value: JSON.parse(output.trim()) };
  } catch (error) {
    const block = allowFence ? fencedBlock(output) : undefined;
    if (block !== undefined) {
      try {
        return { ok: true, value: JSON.parse(block.trim()) };
      } catch (inner) {
        return { ok: false, error: `code block is not valid JSON: ${(inner as Error).message}` };
      }
    }
    return { ok: false, error: `not valid JSON: ${(error as Error).message}` };
  }
}

/** Finds a JSON object in a model's reply: the whole reply, a fenced block, or the outermost {…}. */
export function extractJsonObject(reply: string): unknown {
  const candidates = [reply.trim()];
  const block = fencedBlock(reply);
  if (block !== undefined) candidates.push(block.trim());
  const first = reply.indexOf("{");
  const last = reply.lastIndexOf("}");
  if (first !== -1 && last > first) candidates.push(reply.slice(first, last + 1));
  for (const candidate of candidates) {
    try {
      return JSON.parse(candidate);
    } catch {
      // try the next form
    }
  }
  return undefined;
}
