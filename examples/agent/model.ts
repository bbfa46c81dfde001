import type { ChatRequest, Reply } from "../../test/src/openai-server.ts";

/**
 * The "model" behind the local OpenAI-compatible test server in `pnpm demo:agent`: a few rules
 * that stand in for an LLM, so the example runs offline and gives the same answers every time.
 * It reads the conversation the way a tool-calling model does: the user's question, the tool
 * calls it already made and their results, and either calls the next tool or answers.
 *
 *   "Where is order X?"        get_order(X), then the status
 *   "Please refund order X."   get_order(X); when delivered refund_order(X), then the refund;
 *                              otherwise an answer that it cannot be refunded yet
 *   "How much is N ABC in XYZ?" convert_currency(N, ABC, XYZ), then the amount
 *   anything else              an answer without tools
 */
export function supportModel(request: ChatRequest): Reply {
  const question = [...request.messages].reverse().find((m) => m.role === "user")?.content ?? "";
  const last = request.toolResults.at(-1);
  const result = last ? parse(last.content) : undefined;
  const turn = request.toolTurns;
  const call = (name: string, args: Record<string, unknown>): Reply => ({ toolCalls: [{ name, arguments: args }] });
  const say = (content: string): Reply => ({ content, toolCalls: [] });
  const hasTools = request.tools.length > 0;

  const status = /where is order ([A-Z]-\d+)/i.exec(question);
  if (status && hasTools) {
    const order = status[1]!;
    if (turn === 0) return call("get_order", { order_id: order });
    if (result?.error) return say(`I could not find order ${order}.`);
    return say(`Order ${order} is ${result?.status}${result?.eta ? `, expected on ${result.eta}` : ""}.`);
  }

  const refund = /refund order ([A-Z]-\d+)/i.exec(question);
  if (refund && hasTools) {
    const order = refund[1]!;
    if (turn === 0) return call("get_order", { order_id: order });
    if (turn === 1) {
      if (result?.error) return say(`I could not find order ${order}.`);
      if (result?.status === "delivered") return call("refund_order", { order_id: order });
      return say(`Order ${order} is ${result?.status}; it can be refunded once it is delivered.`);
    }
    return say(`Refund ${result?.refund_id} of ${result?.amount} issued for order ${order}.`);
  }

  const convert = /how much is (\d+(?:\.\d+)?) ([A-Z]{3}) in ([A-Z]{3})/i.exec(question);
  if (convert && hasTools) {
    const [, amount, from, to] = convert;
    if (turn === 0) return call("convert_currency", { amount: Number(amount), from: from!.toUpperCase(), to: to!.toUpperCase() });
    if (result?.error) return say(`I could not convert that: ${result.error}.`);
    return say(`${amount} ${from!.toUpperCase()} is ${result?.amount} ${result?.currency}.`);
  }

  return say("Our support desk is open Monday to Friday, 9:00 to 17:00 CET.");
}

function parse(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : { value };
  } catch {
    return { error: text };
  }
}
