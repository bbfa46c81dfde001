import { InputError, type RouterConfig } from "@llmops/core";
import type { Router } from "../router.ts";
import { createGitopsRouter } from "./gitops.ts";
import { createHaproxyRouter } from "./haproxy.ts";
import { createWebhookRouter } from "./webhook.ts";

/**
 * Every router `type` of the config schema (canary.ts routerConfigSchema) and what builds it. The
 * mapped type makes a missing type a compile error; test/canary/routers-registry.test.ts checks
 * the same at runtime against the schema's discriminated union.
 */
export const ROUTER_FACTORIES: { [K in RouterConfig["type"]]: (config: Extract<RouterConfig, { type: K }>) => Router } = {
  haproxy: (config) => createHaproxyRouter(config),
  gitops: (config) => createGitopsRouter(config),
  webhook: (config) => createWebhookRouter(config),
};

export const ROUTER_TYPES = Object.keys(ROUTER_FACTORIES) as RouterConfig["type"][];

/** The router for a parsed `strategy.canary.router`; a config it cannot serve is a RouterError naming the type. */
export function createRouter(config: RouterConfig): Router {
  const factory = Object.hasOwn(ROUTER_FACTORIES, config.type)
    ? (ROUTER_FACTORIES[config.type] as (config: RouterConfig) => Router)
    : undefined;
  if (!factory)
    throw new InputError(
      `router type ${JSON.stringify((config as { type: unknown }).type)} has no implementation; expected one of ${ROUTER_TYPES.join(", ")}`,
    );
  return factory(config);
}

export { createGitopsRouter } from "./gitops.ts";
export { createHaproxyRouter } from "./haproxy.ts";
export { createWebhookRouter, type TrafficEvent } from "./webhook.ts";
