import { actionContext, runAction } from "@llmops/github/action-kit";
import { readReportInputs, reportAction, writeReportOutputs } from "./report.ts";

void runAction(async () => {
  const inputs = readReportInputs();
  const result = await reportAction(inputs, actionContext());
  writeReportOutputs(result, inputs);
});
