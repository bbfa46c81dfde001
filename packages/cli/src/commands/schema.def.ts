import { type Command, lazyRun } from "../command.ts";

export const schemaCommand: Command = {
  name: "schema",
  summary: "Print (or write) the JSON Schema of llmops.yaml for editors",
  usage: "[--out FILE]",
  options: { out: { type: "string", short: "o" } },
  optionHelp: { out: "write the schema to FILE instead of stdout" },
  run: lazyRun(() => import("./schema.ts").then((m) => m.runSchema)),
};
