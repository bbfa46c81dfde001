/** Small helpers the targets share: bounded messages, timeouts, waits. */

/**
 * Text from elsewhere (a server's error, a program's stderr) made safe for one line of a log:
 * control characters escaped, at most `max` characters.
 */
export function excerpt(text: string, max = 300): string {
  const escaped = text.replace(/[\u0000-\u001f\u007f]/g, (c) =>
    c === "\n" ? "\\n" : c === "\t" ? "\\t" : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return escaped.length > max ? `${escaped.slice(0, max)}…` : escaped;
}

/** Every occurrence of each secret (3+ characters) replaced by `***`. */
export function redact(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of [...secrets].filter((s) => s.length >= 3).sort((a, b) => b.length - a.length)) out = out.split(secret).join("***");
  return out;
}

/** The per-attempt signal: the timeout, or the caller's abort, whichever comes first. */
export function attemptSignal(timeoutMs: number, signal: AbortSignal | undefined): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([timeout, signal]) : timeout;
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Why a fetch failed, in a few words: a timeout, an abort, or the socket error's code. */
export function networkReason(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === "TimeoutError") return `no answer within ${timeoutMs} ms`;
  if (e?.name === "AbortError") return "aborted";
  return e?.cause?.code ?? excerpt(e?.cause?.message ?? e?.message ?? String(error), 120);
}

/** `team/sentiment` → `sentiment`. */
export function lastComponent(name: string): string {
  return name.split("/").at(-1) ?? name;
}

export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, "").slice(0, 12);
}
