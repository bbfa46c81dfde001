// Generates the demo's review dataset (committed as data/*.jsonl). Re-run to regenerate:
//   node examples/demo/make-data.ts
// Reviews are composed from phrase templates with a seeded RNG so the data is reproducible,
// and about a third are negated ("not great") — the case a unigram model gets wrong.
import { writeFileSync } from "node:fs";

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = rng(20261128);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const products = ["headphones", "blender", "laptop", "backpack", "kettle", "camera", "novel", "jacket"] as const;
const positive = ["great", "excellent", "reliable", "comfortable", "sturdy", "fantastic", "solid", "delightful"];
const negative = ["awful", "flimsy", "disappointing", "noisy", "broken", "useless", "cheap", "terrible"];
const openers = ["The", "This", "My new", "Our"];
const closers = [
  "",
  " Would buy again.",
  " Five stars from me.",
  " Returned it the next day.",
  " Customer service was slow.",
  " Shipping was fast.",
];
const fillers = ["honestly", "really", "quite", "overall", "so far"];

interface Review {
  id: string;
  text: string;
  label: "positive" | "negative";
  product: string;
  negated: "yes" | "no";
}

function review(index: number): Review {
  const product = pick(products);
  const wantsPositive = random() < 0.5;
  const negated = random() < 0.35;
  // A negated review says "not <opposite word>": its label is the opposite of the word's polarity.
  const word = pick(wantsPositive !== negated ? positive : negative);
  const adjective = negated ? `not ${word}` : word;
  // Closers carry sentiment-looking words unrelated to the label: noise a model must learn past.
  const text = `${pick(openers)} ${product} is ${pick(fillers)} ${adjective}.${pick(closers)}`;
  return {
    id: `r${String(index).padStart(4, "0")}`,
    text,
    label: wantsPositive ? "positive" : "negative",
    product,
    negated: negated ? "yes" : "no",
  };
}

const all = Array.from({ length: 800 }, (_, i) => review(i + 1));
const toJsonl = (rows: Review[]) => rows.map((r) => JSON.stringify(r)).join("\n") + "\n";
const dir = new URL("./data/", import.meta.url);
writeFileSync(new URL("train.jsonl", dir), toJsonl(all.slice(0, 600)));
// Eval cases: vars for the prompt, the expected label, and tags that define slices.
writeFileSync(
  new URL("eval.jsonl", dir),
  all
    .slice(600)
    .map((r) => JSON.stringify({ id: r.id, vars: { text: r.text }, expected: r.label, tags: { negated: r.negated, product: r.product } }))
    .join("\n") + "\n",
);
process.stderr.write(`wrote ${all.length} reviews to ${dir.pathname}\n`);
