import { InputError, type TargetConfig } from "@llmops/core";
import type { Target } from "../target.ts";
import { CommandTarget } from "./command.ts";
import { GitopsTarget } from "./gitops.ts";
import { ModelRepositoryTarget } from "./model-repository.ts";
import { WebhookTarget } from "./webhook.ts";

/**
 * Every target `type` of the config schema (environments.ts targetConfigSchema) and what builds
 * it. The mapped type makes a missing type a compile error; test/targets/registry.test.ts checks
 * the same at runtime against the schema's discriminated union.
 */
export const TARGET_FACTORIES: { [K in TargetConfig["type"]]: (config: Extract<TargetConfig, { type: K }>) => Target } = {
  "model-repository": (config) => new ModelRepositoryTarget(config),
  gitops: (config) => new GitopsTarget(config),
  webhook: (config) => new WebhookTarget(config),
  command: (config) => new CommandTarget(config),
};

export const TARGET_TYPES = Object.keys(TARGET_FACTORIES) as TargetConfig["type"][];

/** The target for one parsed `targets:` entry; a config it cannot serve is a TargetError naming the type. */
export function createTarget(config: TargetConfig): Target {
  const factory = Object.hasOwn(TARGET_FACTORIES, config.type)
    ? (TARGET_FACTORIES[config.type] as (config: TargetConfig) => Target)
    : undefined;
  if (!factory)
    throw new InputError(
      `target type ${JSON.stringify((config as { type: unknown }).type)} has no implementation; expected one of ${TARGET_TYPES.join(", ")}`,
    );
  return factory(config);
}

export { type CommandOptions, CommandTarget } from "./command.ts";
export { checkReference, GitopsTarget, renderReference } from "./gitops.ts";
export { type Preset, type PresetInput, planPreset } from "./manifest-presets.ts";
export { MARKER_FILE, type ModelRepositoryDetails, ModelRepositoryTarget } from "./model-repository.ts";
export { ServingConfigError } from "./serving-config.ts";
export { TextProtoError } from "./text-proto.ts";
export { SIGNATURE_HEADER, signature, type WebhookEvent, type WebhookOptions, WebhookTarget } from "./webhook.ts";
export { ManifestError } from "./yaml-edit.ts";
