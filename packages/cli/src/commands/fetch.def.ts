import { type Command, lazyRun, storeOptionHelp, storeOptions } from "../command.ts";

export const fetchCommand: Command = {
  name: "fetch",
  summary: "Download a version into a directory, verifying every byte",
  usage: "<REF> <DIR> [--include GLOB]... [--replace] [--store S]",
  options: { replace: { type: "boolean" }, include: { type: "string", multiple: true }, ...storeOptions },
  optionHelp: {
    include:
      "fetch only the files matching this glob (* and ? within a path segment, ** across segments, [ab] classes; a directory selects what is under it); repeatable. <DIR> then holds exactly those files; a pattern matching no file of <REF> fails (exit 2) before <DIR> is touched",
    replace:
      "make a non-empty <DIR> that llmops fetch did not write hold exactly <REF>, removing files not in it (without it such a <DIR> is refused; an empty or missing <DIR>, or one an earlier fetch wrote, needs no flag)",
    ...storeOptionHelp,
  },
  run: lazyRun(() => import("./fetch.ts").then((m) => m.runFetch)),
};
