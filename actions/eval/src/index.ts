import { actionContext, runAction } from "@llmops/github/action-kit";
import { readEvalInputs, runEvalAction, writeEvalOutputs } from "@llmops/github/eval-action";

void runAction(async () => {
  const inputs = readEvalInputs();
  const result = await runEvalAction(inputs, actionContext());
  await writeEvalOutputs(result);
});
