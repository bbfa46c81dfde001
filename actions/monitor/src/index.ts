import { actionContext, runAction } from "@llmops/github/action-kit";
import { monitorAction, readMonitorInputs, writeMonitorOutputs } from "./monitor.ts";

void runAction(async () => {
  const inputs = readMonitorInputs();
  const result = await monitorAction(inputs, actionContext());
  await writeMonitorOutputs(result, inputs);
});
