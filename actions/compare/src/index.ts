import { actionContext, runAction } from "@llmops/github/action-kit";
import { compareAction, readCompareInputs, writeCompareOutputs } from "./compare.ts";

void runAction(async () => {
  const inputs = readCompareInputs();
  const result = await compareAction(inputs, actionContext());
  await writeCompareOutputs(result, inputs);
});
