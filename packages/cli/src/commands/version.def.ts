import { type Command, lazyRun, storeOptionHelp, storeOptions } from "../command.ts";

export const versionCommand: Command = {
  name: "version",
  summary: "Version a dataset or model directory as a content-addressed OCI artifact (or every artifact llmops.yaml declares)",
  usage: "<path> --name N --kind model|dataset [--parent REF]... [--alias A]... [--store S]  |  [--only NAME]... [--config FILE]",
  options: {
    ...storeOptions,
    only: { type: "string", multiple: true },
    config: { type: "string" },
    name: { type: "string" },
    kind: { type: "string" },
    parent: { type: "string", multiple: true },
    alias: { type: "string", multiple: true },
    label: { type: "string", multiple: true },
    param: { type: "string", multiple: true },
    created: { type: "string" },
    check: { type: "boolean" },
    "no-check": { type: "boolean" },
    "pack-threshold": { type: "string" },
    "pack-target": { type: "string" },
    "pack-min-files": { type: "string" },
  },
  optionHelp: {
    ...storeOptionHelp,
    name: "with <path>: artifact name (OCI repository name, e.g. team/sentiment)",
    kind: "with <path>: model or dataset",
    parent: "with <path>: a version this one derives from (name:alias, name:vN, name@sha256:...); repeatable",
    alias: "with <path>: alias to point at the new version (e.g. latest); repeatable",
    label: "with <path>: key=value label; repeatable",
    param: "with <path>: key=value parameter recorded in the metadata; repeatable",
    created: "ISO timestamp for the metadata (default SOURCE_DATE_EPOCH or now)",
    only: "without <path>: version only this declared artifact; repeatable (default: every one in artifacts:)",
    // llmops.yaml is @llmops/core's DEFAULT_CONFIG_FILE (test/lazy-commands.test.ts holds it to this).
    config: "the llmops.yaml declaring the artifacts (default llmops.yaml); with <path>, only with --check",
    check:
      "with <path>: run the checks: of the dataset artifact --name declares in llmops.yaml before storing; a failed check stores nothing (exit 1). Without <path> declared datasets with checks: are always checked",
    "no-check": "without <path>: store declared datasets without running their checks:",
    "pack-threshold":
      "with <path>: files smaller than this many bytes go into tar packs (default 4194304, 4 MiB; at most 67108864, 64 MiB, and at most the pack target)",
    "pack-target": "with <path>: the pack size aimed at, in bytes (default 67108864, 64 MiB)",
    "pack-min-files": "with <path>: pack only when at least this many files are below the threshold (default 256)",
  },
  run: lazyRun(() => import("./version.ts").then((m) => m.runVersion)),
};
