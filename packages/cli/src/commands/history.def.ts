import { type Command, lazyRun, storeOptionHelp, storeOptions } from "../command.ts";

export const historyCommand: Command = {
  name: "history",
  summary: "Show every move of an alias (from, to, when, who), newest first",
  usage: "<NAME>:<ALIAS> [--store S]",
  options: { ...storeOptions },
  optionHelp: { ...storeOptionHelp },
  run: lazyRun(() => import("./history.ts").then((m) => m.runHistory)),
};
