// Writes judge.jsonl, the judge replies this example replays, one line per judge prompt:
// {"prompt": <what the scorer sends>, "output": <the judge's reply>}. Re-run after changing a case:
//   node examples/rag/record-judge.ts
// The verdicts below are written by hand (what a careful judge answers); the prompts are rendered
// by the scorers' own functions, so the replay provider finds each reply by its exact prompt. To
// grade with a real model instead, give the scorers an `openai` or `anthropic` provider.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { numbered, renderRagPrompt, splitSentences } from "../../packages/eval/src/scorers/rag.ts";

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
type Verdict = [string | number, "yes" | "no", string];

/** Per case: the claims of the answer, the verdicts on the reference's and the context's sentences, the answer's statements. */
const VERDICTS: Record<string, { claims: Verdict[]; recall: Verdict[]; relevance: Verdict[]; statements: Verdict[] }> = {
  reset: {
    claims: [
      ["The reset button on the back is held for 10 seconds to reset the router.", "yes", "Stated in the context."],
      ["The power light blinks when the reset starts.", "yes", "Stated in the context."],
      ["Resetting erases all settings, including the Wi-Fi password.", "yes", "Stated in the context."],
    ],
    recall: [
      [1, "yes", "The context gives the 10-second reset."],
      [2, "yes", "The context says all settings are erased."],
    ],
    relevance: [
      [1, "yes", "How to reset."],
      [2, "yes", "What the reset looks like."],
      [3, "yes", "What the reset does."],
    ],
    statements: [
      ["Hold the reset button on the back for 10 seconds until the power light blinks.", "yes", "The procedure asked for."],
      ["Resetting erases all settings, including the Wi-Fi password.", "yes", "A consequence of the reset."],
    ],
  },
  warranty: {
    claims: [
      ["The warranty lasts two years.", "yes", "Stated in the context."],
      ["The warranty does not cover water damage.", "yes", "Stated in the context."],
    ],
    recall: [[1, "yes", "The context states the two-year limited warranty."]],
    relevance: [
      [1, "yes", "Gives the warranty period."],
      [2, "yes", "Limits the warranty."],
      [3, "no", "About shipping."],
    ],
    statements: [
      ["The warranty lasts two years.", "yes", "Answers the question."],
      ["The warranty does not cover water damage.", "yes", "Qualifies the answer."],
    ],
  },
  wifi6: {
    claims: [
      ["The router supports Wi-Fi 6.", "no", "The context names Wi-Fi 5 only."],
      ["The router supports Wi-Fi 5 on both bands.", "yes", "Stated in the context."],
    ],
    recall: [
      [1, "yes", "Only Wi-Fi 5 is listed, so not Wi-Fi 6."],
      [2, "yes", "Stated in the context."],
    ],
    relevance: [[1, "yes", "Names the Wi-Fi standard."]],
    statements: [
      ["The router supports Wi-Fi 6.", "yes", "Answers the question, wrongly."],
      ["The router supports Wi-Fi 5 on both bands.", "yes", "Related to the question."],
    ],
  },
  ports: {
    claims: [
      ["The router has four gigabit Ethernet ports.", "yes", "Stated in the context."],
      ["The router has one WAN port.", "yes", "Stated in the context."],
    ],
    recall: [[1, "yes", "Stated in the context."]],
    relevance: [
      [1, "yes", "Counts the ports."],
      [2, "no", "About weight."],
      [3, "no", "About colours."],
    ],
    statements: [["The router has four gigabit Ethernet ports plus one WAN port.", "yes", "Answers the question."]],
  },
  returns: {
    claims: [
      ["The documentation does not say whether returns are accepted after 30 days.", "yes", "The context says nothing about returns."],
    ],
    recall: [[1, "no", "The context says nothing about returns."]],
    relevance: [
      [1, "no", "About shipping costs."],
      [2, "no", "About shipping times."],
    ],
    statements: [["The documentation does not say whether returns are accepted after 30 days.", "no", "Does not answer the question."]],
  },
};

const reply = (key: string, item: string, verdicts: Verdict[]) =>
  JSON.stringify({ [key]: verdicts.map(([value, verdict, reason]) => ({ [item]: value, verdict, reason })) });

const answers = new Map(
  readFileSync(here("answers.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { id: string; output: string })
    .map((a) => [a.id, a.output]),
);
const lines: string[] = [];
for (const line of readFileSync(here("cases.jsonl"), "utf8").trim().split("\n")) {
  const c = JSON.parse(line) as { id: string; vars: { question: string; context: string[] }; expected: string };
  const v = VERDICTS[c.id];
  const answer = answers.get(c.id);
  if (!v || answer === undefined) throw new Error(`case ${c.id}: no verdicts or no answer`);
  const context = c.vars.context.join("\n\n");
  const reference = splitSentences(c.expected);
  const sentences = c.vars.context.flatMap(splitSentences);
  if (reference.length !== v.recall.length)
    throw new Error(`case ${c.id}: ${reference.length} reference sentences, ${v.recall.length} verdicts`);
  if (sentences.length !== v.relevance.length)
    throw new Error(`case ${c.id}: ${sentences.length} context sentences, ${v.relevance.length} verdicts`);
  const { question } = c.vars;
  const recordings: [string, string][] = [
    [renderRagPrompt("context-faithfulness", { question, context, answer }), reply("claims", "claim", v.claims)],
    [renderRagPrompt("context-recall", { question, context, reference: numbered(reference) }), reply("verdicts", "statement", v.recall)],
    [renderRagPrompt("context-relevance", { question, context: numbered(sentences) }), reply("verdicts", "sentence", v.relevance)],
    [renderRagPrompt("answer-relevance", { question, answer }), reply("statements", "statement", v.statements)],
  ];
  for (const [prompt, output] of recordings) lines.push(JSON.stringify({ prompt, output }));
}
writeFileSync(here("judge.jsonl"), `${lines.join("\n")}\n`);
console.log(`wrote ${lines.length} judge replies to examples/rag/judge.jsonl`);
