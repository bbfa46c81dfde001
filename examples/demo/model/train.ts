// Trains the demo model from data/train.jsonl and writes a model directory (the artifact that
// gets versioned): model.json, serving.json (the request signature the demo server needs) and a
// model card.
//   node examples/demo/model/train.ts --ngrams 2 --out examples/demo/out/model-ngrams2
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { train } from "./naive-bayes.ts";

export function trainToDirectory(options: {
  data: string;
  out: string;
  ngrams: number;
  alpha: number;
  /** False packages the model without serving.json: what the demo's broken candidate does. */
  servingSignature?: boolean;
}): void {
  const examples = readFileSync(options.data, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { text: string; label: string });
  const model = train(examples, { ngrams: options.ngrams, alpha: options.alpha });
  const temp = `${options.out}.tmp-${process.pid}`;
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(temp, { recursive: true });
  writeFileSync(join(temp, "model.json"), `${JSON.stringify(model)}\n`);
  if (options.servingSignature !== false) writeFileSync(join(temp, "serving.json"), `${JSON.stringify({ input: "text" })}\n`);
  writeFileSync(
    join(temp, "MODEL_CARD.md"),
    [
      "# Review sentiment (demo)",
      "",
      `Multinomial naive Bayes over word n-grams up to n=${options.ngrams}, Laplace alpha=${options.alpha}.`,
      `Trained on ${examples.length} reviews; labels: ${model.labels.join(", ")}.`,
      `Vocabulary: ${Object.keys(model.logLikelihoods[model.labels[0]!] ?? {}).length} features.`,
      "",
    ].join("\n"),
  );
  rmSync(options.out, { recursive: true, force: true });
  renameSync(temp, options.out);
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      data: { type: "string", default: new URL("../data/train.jsonl", import.meta.url).pathname },
      out: { type: "string" },
      ngrams: { type: "string", default: "1" },
      alpha: { type: "string", default: "1" },
    },
  });
  if (!values.out) {
    process.stderr.write("train: --out DIR is required\n");
    process.exit(2);
  }
  trainToDirectory({ data: values.data, out: values.out, ngrams: Number(values.ngrams), alpha: Number(values.alpha) });
}
