import { type Command, lazyRun, storeOptionHelp, storeOptions } from "../command.ts";

export const checkCommand: Command = {
  name: "check",
  summary: "Check a dataset version or directory: schema, duplicates, train/eval contamination, PII, distributions",
  usage: "<REF|DIR> [--against REF]... [--write-redacted DIR] [--record] [--markdown FILE] [--config F] [--artifact NAME] [--store S]",
  options: {
    ...storeOptions,
    against: { type: "string", multiple: true },
    "write-redacted": { type: "string" },
    record: { type: "boolean" },
    markdown: { type: "string" },
    config: { type: "string" },
    artifact: { type: "string" },
  },
  optionHelp: {
    ...storeOptionHelp,
    against:
      "a dataset version (or directory) to look for contamination in: shared n-grams and near duplicates; repeatable (default: checks.contamination.against)",
    "write-redacted":
      "write a copy of the case files with personal data and secrets replaced (<EMAIL>, <PHONE> …) into DIR, a new or empty directory",
    record: "attach the result to the dataset version as a check referrer (application/vnd.llmops.check.v1+json); needs a REF",
    markdown: "also write the report as Markdown (tables and Mermaid charts) to FILE",
    // llmops.yaml is @llmops/core's DEFAULT_CONFIG_FILE (test/lazy-commands.test.ts holds it to this).
    config:
      "the llmops.yaml whose artifacts' checks: apply (default llmops.yaml when present; without one every check runs with its defaults)",
    artifact: "the declared artifact a DIR is (default: the one whose path it is)",
  },
  run: lazyRun(() => import("./check.ts").then((m) => m.runCheckCommand)),
};
