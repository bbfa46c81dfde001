import { type Command, lazyRun } from "../command.ts";

/** Basic-auth credentials of the Pushgateway: from the environment only, never a flag other processes could read. */
export const PUSHGATEWAY_USERNAME_ENV = "LLMOPS_PUSHGATEWAY_USERNAME";
export const PUSHGATEWAY_PASSWORD_ENV = "LLMOPS_PUSHGATEWAY_PASSWORD";

export const metricsCommand: Command = {
  name: "metrics",
  summary: "Export results as OpenMetrics text (file or stdout) or push them to a Prometheus Pushgateway",
  usage:
    "<PATH>... [--out FILE] [--format openmetrics|prometheus] [--push URL --job NAME [--grouping NAME=VALUE]... [--method PUT|POST]] [--environment ENV]",
  options: {
    out: { type: "string", short: "o" },
    format: { type: "string" },
    push: { type: "string" },
    job: { type: "string" },
    grouping: { type: "string", multiple: true },
    method: { type: "string" },
    environment: { type: "string" },
  },
  optionHelp: {
    out: "write the exposition to this file (atomically) instead of stdout",
    format: "openmetrics (default; application/openmetrics-text 1.0.0) or prometheus (text format 0.0.4) for --out and stdout",
    // 3 is @llmops/operate's PUSH_DEFAULTS.retries (test/lazy-commands.test.ts holds it to this).
    push: `push to this Pushgateway (http(s)://host[:port][/prefix]) in the Prometheus text format 0.0.4; basic auth from ${PUSHGATEWAY_USERNAME_ENV} and ${PUSHGATEWAY_PASSWORD_ENV}; 3 retries on 5xx and network errors`,
    job: "the Pushgateway job (required with --push): with the grouping labels, the group this push replaces",
    grouping: "another grouping label of the push, NAME=VALUE (repeatable); the Pushgateway puts it on every series",
    method: "PUT (default: replace the group's metrics) or POST (replace only the families pushed)",
    environment: "the environment label of eval and compare results (status and monitor results name their own)",
  },
  run: lazyRun(() => import("./metrics.ts").then((m) => m.runMetrics)),
};
