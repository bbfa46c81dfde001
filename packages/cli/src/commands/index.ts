import type { Command } from "../command.ts";
import { abCommand } from "./ab.ts";
import { canaryCommand } from "./canary.ts";
import { checkCommand } from "./check.ts";
import { compareCommand } from "./compare.ts";
import { evalCommand } from "./eval.ts";
import { feedbackCommand } from "./feedback.ts";
import { fetchCommand } from "./fetch.ts";
import { historyCommand } from "./history.ts";
import { lsCommand } from "./ls.ts";
import { metricsCommand } from "./metrics.ts";
import { monitorCommand } from "./monitor.ts";
import { promoteCommand, rollbackCommand, statusCommand } from "./promote.ts";
import { reportCommand } from "./report.ts";
import { schemaCommand } from "./schema.ts";
import { tagCommand } from "./tag.ts";
import { versionCommand } from "./version.ts";

/** Every `llmops` subcommand, in the order `--help` lists them. */
export const commands: Command[] = [
  versionCommand,
  fetchCommand,
  tagCommand,
  lsCommand,
  historyCommand,
  evalCommand,
  compareCommand,
  abCommand,
  reportCommand,
  promoteCommand,
  rollbackCommand,
  canaryCommand,
  statusCommand,
  checkCommand,
  monitorCommand,
  feedbackCommand,
  metricsCommand,
  schemaCommand,
];
