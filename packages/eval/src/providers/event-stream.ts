import { request } from "./fetch.ts";
import type { HttpResponse } from "./http-client.ts";
import { parseSseText, type SseEvent, SseParser } from "./sse.ts";

/**
 * A request whose successful reply is a server-sent event stream: each event reaches `onEvent`
 * as its bytes arrive (so the caller can time them). `streamed` is false when the server
 * answered with something else (a JSON body: a server that ignores `stream`), left in `text`.
 */
export async function requestEventStream(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; signal: AbortSignal },
  secrets: readonly (string | undefined)[],
  onEvent: (event: SseEvent) => void,
): Promise<{ response: HttpResponse; streamed: boolean }> {
  let parser: SseParser | undefined;
  const response = await request(
    url,
    {
      ...init,
      onBody: (_status, headers) => {
        if (
          !String(headers["content-type"] ?? "")
            .toLowerCase()
            .includes("text/event-stream")
        )
          return undefined;
        const events = new SseParser(onEvent);
        parser = events;
        return (chunk) => events.push(chunk);
      },
    },
    secrets,
  );
  if (parser) {
    parser.end();
    return { response, streamed: true };
  }
  // An event stream sent under another content type: parsed all at once (its timings are the whole reply's).
  if (/^\uFEFF?(data|event|id|retry)?:/.test(response.text)) {
    for (const event of parseSseText(response.text)) onEvent(event);
    return { response, streamed: true };
  }
  return { response, streamed: false };
}
