import { runUrlFromEnv, UsageError } from "@llmops/core";
import { githubMonitorAlertsFromEnv } from "@llmops/github/monitor";
import { describeMonitor, monitor } from "@llmops/operate";
import { type CommandContext, optionalString, type ParsedArgs, printJson, SIGNAL_EXIT, stoppable } from "../command.ts";
import { openCommandStore } from "../command-store.ts";

// The command (name, usage, options, help) is defined in monitor.def.ts, whose run loads this module.
export { monitorCommand } from "./monitor.def.ts";

/** `llmops monitor`. */
export async function runMonitor(args: ParsedArgs, context: CommandContext): Promise<number> {
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
}
