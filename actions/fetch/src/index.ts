import { actionContext, runAction } from "@llmops/github/action-kit";
import { fetchAction, readFetchInputs, writeFetchOutputs } from "./fetch.ts";

void runAction(async () => {
  const inputs = readFetchInputs();
  const result = await fetchAction(inputs, actionContext());
  await writeFetchOutputs(result);
});
