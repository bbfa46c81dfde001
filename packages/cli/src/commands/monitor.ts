import { runUrlFromEnv, UsageError } from "@llmops/core";
import { githubMonitorAlertsFromEnv } from "@llmops/github/monitor";
import { describeMonitor, monitor } from "@llmops/operate";
import { type Command, openCommandStore, optionalString, SIGNAL_EXIT, stoppable, storeOptionHelp, storeOptions } from "../command.ts";
import { printJson } from "./version.ts";

/**
 * `llmops monitor [ENV]`: each environment's monitors (or the named one's): the monitoring suite
 * against the live endpoint vs the promotion's evidence, drift of production inputs, and the alert
 * issue per environment and monitor when GITHUB_TOKEN and GITHUB_REPOSITORY are set (as in
 * Actions). Exit 0 nothing alerting, 1 an alert is raised or open, 2 bad input, 3 an external
 * system failed (an alert could not be delivered).
 */
export const monitorCommand: Command = {
  name: "monitor",
  summary: "Monitor serving environments: live quality vs the promotion's evidence, input drift, alert issues",
  usage: "[ENV] [--sample FILE|REF] [--out DIR] [--config F] [--store S]",
  options: {
    sample: { type: "string" },
    out: { type: "string" },
    config: { type: "string" },
    "no-github": { type: "boolean" },
    ...storeOptions,
  },
  optionHelp: {
    sample:
      "production inputs for every drift monitor: a .jsonl/.json/.csv file, or a dataset version (name:alias, name:vN, name@sha256:…)",
    out: "keep each live run's results in DIR/<environment>/<monitor> (default: discarded)",
    config: "path of llmops.yaml (default: llmops.yaml in the working directory)",
    "no-github": "open, update or close no alert issue even when GITHUB_TOKEN and GITHUB_REPOSITORY are set",
    ...storeOptionHelp,
  },
  async run(args, context) {
    const [environment, extra] = args.positionals;
    if (extra) throw new UsageError(`unexpected argument ${extra}`);
    const config = optionalString(args.values.config);
    const token = args.values["no-github"] === true ? undefined : optionalString(context.env.GITHUB_TOKEN);
    const alerts = githubMonitorAlertsFromEnv({ token, env: context.env, logger: context.logger });
    const store = await openCommandStore(args.values, context, config);
    const { result, stoppedBy } = await stoppable(context, "abandoning the monitoring run; no alert is changed", (signal) =>
      monitor({
        store,
        cwd: context.cwd,
        config,
        env: context.env,
        logger: context.logger,
        environment,
        sample: optionalString(args.values.sample),
        out: optionalString(args.values.out),
        alerts,
        runUrl: runUrlFromEnv(context.env),
        signal,
      }),
    );
    if (stoppedBy) return SIGNAL_EXIT[stoppedBy] ?? 130;
    if (context.json) printJson(context, result);
    else context.stdout.write(describeMonitor(result));
    return result.exitCode;
  },
};
