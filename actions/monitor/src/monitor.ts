/** `actions/monitor`: read the inputs, monitor through @llmops/operate with GitHub's alert issues, write outputs and the job summary. */
import * as core from "@actions/core";
import { actionInput, readActionInputs } from "@llmops/github/action-inputs";
import { type ActionContext, chooseActionStore, failStep, openActionStore, storeInputs } from "@llmops/github/action-kit";
import { writeJobSummary } from "@llmops/github/job-summary";
import { githubMonitorAlertsFromEnv } from "@llmops/github/monitor";
import { type MonitorResult, monitor, monitorSummaryMarkdown } from "@llmops/operate";
import { z } from "zod";

export const monitorInputsSchema = z.object({
  environment: actionInput.string(),
  sample: actionInput.string(),
  config: actionInput.required("the path of llmops.yaml"),
  failOnAlert: actionInput.boolean(),
  githubToken: actionInput.string(),
  ...storeInputs,
});

export type MonitorInputs = z.output<typeof monitorInputsSchema>;

export function readMonitorInputs(getInput?: (name: string) => string): MonitorInputs {
  return readActionInputs(monitorInputsSchema, getInput);
}

export async function monitorAction(inputs: MonitorInputs, context: ActionContext): Promise<MonitorResult> {
  if (inputs.githubToken) core.setSecret(inputs.githubToken);
  const store = openActionStore(await chooseActionStore(inputs, context, inputs.config), context);
  // A cancelled run stops the live run; no alert is changed by a run that did not finish.
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    context.logger.warn(`${signal}: stopping; no alert is changed`);
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    return await monitor({
      store,
      cwd: context.workspace,
      config: inputs.config,
      env: context.env,
      logger: context.logger,
      environment: inputs.environment || undefined,
      sample: inputs.sample || undefined,
      alerts: githubMonitorAlertsFromEnv({ token: inputs.githubToken || undefined, env: context.env, logger: context.logger }),
      runUrl: context.runUrl,
      signal: controller.signal,
    });
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}

/** The overall status: alerting if any monitor alerts, ok if every one is ok, else inconclusive. */
export function overallStatus(result: MonitorResult): "alerting" | "ok" | "inconclusive" {
  const statuses = result.environments.flatMap((e) => e.monitors.map((m) => m.alert.status));
  if (statuses.includes("alerting")) return "alerting";
  return statuses.every((s) => s === "ok") ? "ok" : "inconclusive";
}

export async function writeMonitorOutputs(result: MonitorResult, inputs: Pick<MonitorInputs, "failOnAlert">): Promise<void> {
  const issues = result.environments.flatMap((e) =>
    e.monitors.flatMap((m) => m.alert.notifications.filter((n) => n.channel === "issue" && n.target).map((n) => n.target!)),
  );
  core.setOutput("status", overallStatus(result));
  core.setOutput("alerting", result.alerting ? "true" : "false");
  core.setOutput("issues", issues.join("\n"));
  core.setOutput("result", JSON.stringify(result));
  await writeJobSummary(monitorSummaryMarkdown(result));
  const failed = result.environments.flatMap((e) =>
    e.monitors.flatMap((m) =>
      m.alert.notifications
        .filter((n) => n.action === "failed")
        .map((n) => `${e.environment}/${m.key} ${n.channel}: ${n.error ?? "failed"}`),
    ),
  );
  if (failed.length > 0) failStep(`alert not delivered: ${failed.join("; ")}`);
  else if (result.alerting && inputs.failOnAlert) {
    const alerting = result.environments.flatMap((e) =>
      e.monitors.filter((m) => m.alert.status === "alerting").map((m) => `${e.environment}/${m.key}`),
    );
    failStep(`monitor alerting: ${alerting.join(", ")}`);
  }
}
