import { type Command, lazyRun, storeOptionHelp, storeOptions } from "../command.ts";

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
  run: lazyRun(() => import("./monitor.ts").then((m) => m.runMonitor)),
};
