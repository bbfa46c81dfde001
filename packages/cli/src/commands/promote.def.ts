import { type Command, lazyRun, storeOptionHelp, storeOptions } from "../command.ts";

const configOption = { config: { type: "string" } } as const;
const configHelp = { config: "path of llmops.yaml (default: llmops.yaml in the working directory)" };

const githubOption = { "no-github": { type: "boolean" } } as const;
const githubHelp = {
  "no-github":
    "record nothing on GitHub even when GITHUB_TOKEN and GITHUB_REPOSITORY are set (default: a deployment with statuses, the run's approvers, the alert issue)",
};

/** The options every command that acts on an environment takes. */
export const promotionOptions = { ...configOption, ...githubOption, ...storeOptions } as const;
export const promotionOptionHelp = { ...configHelp, ...githubHelp, ...storeOptionHelp };

export const promoteCommand: Command = {
  name: "promote",
  summary: "Promote a version to an environment: requirements, deployment, targets, alias move, smoke eval, rollback",
  usage: "<REF> --to <ENV> [--dry-run] [--config F] [--store S]",
  options: { to: { type: "string" }, "dry-run": { type: "boolean" }, ...configOption, ...githubOption, ...storeOptions },
  optionHelp: {
    to: "the environment (a key of `environments:` in llmops.yaml)",
    "dry-run": "check the requirements and show what would happen; change nothing",
    ...configHelp,
    ...githubHelp,
    ...storeOptionHelp,
  },
  run: lazyRun(() => import("./promote.ts").then((m) => m.runPromote)),
};

export const rollbackCommand: Command = {
  name: "rollback",
  summary: "Put an environment back on the version it served before (or --to a version it served)",
  usage: "<ENV> [--to REF] [--force] [--dry-run] [--config F] [--store S]",
  options: {
    to: { type: "string" },
    force: { type: "boolean" },
    "dry-run": { type: "boolean" },
    ...configOption,
    ...githubOption,
    ...storeOptions,
  },
  optionHelp: {
    to: "the version to go back to (default: the one the environment's alias pointed at before its latest move)",
    force: "allow --to a version that was never in the environment",
    "dry-run": "show what would happen; change nothing",
    ...configHelp,
    ...githubHelp,
    ...storeOptionHelp,
  },
  run: lazyRun(() => import("./promote.ts").then((m) => m.runRollback)),
};

export const statusCommand: Command = {
  name: "status",
  summary: "What each environment serves, since when, moved by whom, approved by whom, on which evidence",
  usage: "[ENV] [--config F] [--store S]",
  options: { ...configOption, ...storeOptions },
  optionHelp: { ...configHelp, ...storeOptionHelp },
  run: lazyRun(() => import("./promote.ts").then((m) => m.runStatus)),
};
