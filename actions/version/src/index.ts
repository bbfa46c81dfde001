import { actionContext, runAction } from "@llmops/github/action-kit";
import { readVersionInputs, versionAction, writeVersionOutputs } from "./version.ts";

void runAction(async () => {
  const inputs = readVersionInputs();
  const result = await versionAction(inputs, actionContext());
  await writeVersionOutputs(result);
});
