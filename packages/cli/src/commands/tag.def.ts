import { type Command, lazyRun, storeOptionHelp, storeOptions } from "../command.ts";

export const tagCommand: Command = {
  name: "tag",
  summary: "Point an alias at a version (compare-and-swap with --expect); the move is recorded",
  usage: "<REF> <ALIAS> [--expect DIGEST] [--store S]",
  options: { ...storeOptions, expect: { type: "string" } },
  optionHelp: { ...storeOptionHelp, expect: "move only if the alias points at this digest now" },
  run: lazyRun(() => import("./tag.ts").then((m) => m.runTag)),
};
