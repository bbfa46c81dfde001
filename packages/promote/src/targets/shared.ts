/** Small helpers the targets share: bounded messages, timeouts. */

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

const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s"'<>`]*)/gi;
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~%-]*)(?::\d*)?$/;

/**
 * A URL cut to its origin when it holds more (`https://hooks.slack.com/services/T0/B0/X` →
 * `https://hooks.slack.com/…`; credentials dropped); a bare origin as it is; `scheme://…` when
 * its authority cannot be told apart (e.g. a password with a slash in it).
 */
export function shortenUrl(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)(.*)$/is.exec(url);
  if (!match) return url;
  const [, scheme, body] = match as unknown as [string, string, string];
  const end = body.search(/[/?#]/);
  const authority = end < 0 ? body : body.slice(0, end);
  const rest = end < 0 ? "" : body.slice(end);
  const at = authority.lastIndexOf("@");
  const host = authority.slice(at + 1);
  if (!HOST.test(host)) return `${scheme}…`;
  if (at < 0 && (rest === "" || rest === "/")) return url;
  return `${scheme}${host}/…`;
}

/** Every URL in `text` shortened (shortenUrl): paths, queries and credentials of webhooks and the like go. */
export function stripUrls(text: string): string {
  return text.replace(URL_IN_TEXT, (_whole, scheme: string, rest: string) => {
    const trailing = /[).,;:!?\]}]*$/.exec(rest)?.[0] ?? "";
    return shortenUrl(`${scheme}${rest.slice(0, rest.length - trailing.length)}`) + trailing;
  });
}

/** The per-attempt signal: the timeout, or the caller's abort, whichever comes first. */
export function attemptSignal(timeoutMs: number, signal: AbortSignal | undefined): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([timeout, signal]) : timeout;
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

/** The first 12 hex digits of a digest, for branch names and labels (no `sha256:`, no ellipsis). */
export function digestHex12(digest: string): string {
  return digest.replace(/^sha256:/, "").slice(0, 12);
}
