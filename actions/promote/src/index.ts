import { actionContext, runAction } from "@llmops/github/action-kit";
import { promoteAction, readPromoteInputs, writePromoteOutputs } from "./promote.ts";

void runAction(async () => {
  const inputs = readPromoteInputs();
  const result = await promoteAction(inputs, actionContext());
  await writePromoteOutputs(result);
});
