import { type Command, lazyRun, storeOptionHelp, storeOptions } from "../command.ts";

export const lsCommand: Command = {
  name: "ls",
  summary: "List artifact names, the versions of one name with their aliases, or the files of a version (--files)",
  usage: "[NAME] [--store S]  |  <REF> --files [--include GLOB]...",
  options: { files: { type: "boolean" }, include: { type: "string", multiple: true }, ...storeOptions },
  optionHelp: {
    files: "list the files of <REF> (path, size, sha256) from its file index; no file content is downloaded",
    include:
      "with --files: only files matching this glob (as fetch --include); repeatable. A pattern matching no file lists nothing for it and notes it on stderr (exit 0: listing changes nothing)",
    ...storeOptionHelp,
  },
  run: lazyRun(() => import("./ls.ts").then((m) => m.runLs)),
};
