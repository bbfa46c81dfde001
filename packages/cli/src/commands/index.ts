import type { Command } from "../command.ts";
import { abCommand } from "./ab.def.ts";
import { canaryCommand } from "./canary.def.ts";
import { checkCommand } from "./check.def.ts";
import { compareCommand } from "./compare.def.ts";
import { evalCommand } from "./eval.def.ts";
import { feedbackCommand } from "./feedback.def.ts";
import { fetchCommand } from "./fetch.def.ts";
import { historyCommand } from "./history.def.ts";
import { lsCommand } from "./ls.def.ts";
import { metricsCommand } from "./metrics.def.ts";
import { monitorCommand } from "./monitor.def.ts";
import { promoteCommand, rollbackCommand, statusCommand } from "./promote.def.ts";
import { reportCommand } from "./report.def.ts";
import { schemaCommand } from "./schema.def.ts";
import { tagCommand } from "./tag.def.ts";
import { versionCommand } from "./version.def.ts";

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
