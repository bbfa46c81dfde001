// The eval provider for the demo (a `module` provider): classifies the prompt with the model
// found in LLMOPS_MODEL_DIR, the directory `llmops fetch` wrote the model version into.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type NaiveBayesModel, predict } from "./naive-bayes.ts";

const models = new Map<string, NaiveBayesModel>();

function load(dir: string): NaiveBayesModel {
  let model = models.get(dir);
  if (!model) {
    model = JSON.parse(readFileSync(join(dir, "model.json"), "utf8")) as NaiveBayesModel;
    models.set(dir, model);
  }
  return model;
}

export default async function classify(request: { prompt: string }): Promise<{ output: string }> {
  const dir = process.env.LLMOPS_MODEL_DIR;
  if (!dir) throw new Error("LLMOPS_MODEL_DIR is not set: it names the fetched model directory");
  return { output: predict(load(dir), request.prompt).label };
}
