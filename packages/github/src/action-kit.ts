/**
 * What every action entry shares, written once: the run wrapper, the logger, the job's context,
 * and the store choice with its credentials masked. An entry reads:
 *
 * ```ts
 * runAction(async () => {
 *   const inputs = readVersionInputs();
 *   const result = await versionAction(inputs, actionContext());
 *   await writeVersionOutputs(result);
 * });
 * ```
 */
import * as core from "@actions/core";
import { type Logger, oneLine, runUrlFromEnv } from "@llmops/core";
import { chooseConfiguredStore, chooseStore, describeStoreChoice, openStore, type Store, type StoreChoice } from "@llmops/store";
import { actionInput } from "./action-inputs.ts";

/** The Actions log as a `Logger`: `warn` and `error` become annotations. */
export const actionsLogger: Logger = { debug: core.debug, info: core.info, warn: core.warning, error: core.error };

/** Where an action runs: its workspace, environment, log and run URL. Tests build their own. */
export interface ActionContext {
  /** GITHUB_WORKSPACE, else the working directory; relative inputs resolve against it. */
  workspace: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** This workflow run's page, when the runner names one. */
  runUrl?: string | undefined;
}

export function actionContext(env: NodeJS.ProcessEnv = process.env): ActionContext {
  return { workspace: env.GITHUB_WORKSPACE || process.cwd(), env, logger: actionsLogger, runUrl: runUrlFromEnv(env) };
}

/**
 * Runs an action's main function. Success leaves the exit code 0; an error fails the step with its
 * message on one line (an `::error::` annotation; exit code 1) and is never rethrown, so no stack
 * trace reaches the log. A verdict that fails the step (a failed gate) is `failStep` from the
 * outputs writer, also exit code 1: GitHub distinguishes only success and failure.
 */
export function runAction(main: () => Promise<void>): Promise<void> {
  return Promise.resolve()
    .then(main)
    .catch((error: unknown) => {
      if (error instanceof Error && error.stack) core.debug(error.stack);
      core.setFailed(oneLine(error));
    });
}

/** Fails the step with a one-line message (exit code 1) without stopping the action. */
export function failStep(message: string): void {
  core.setFailed(oneLine(message));
}

/** The `store`, `store-username` and `store-password` inputs every action that opens a store declares. */
export const storeInputs = {
  store: actionInput.string(),
  storeUsername: actionInput.string(),
  storePassword: actionInput.string(),
};

export interface StoreInputs {
  store: string;
  storeUsername: string;
  storePassword: string;
}

/**
 * The store an action uses (`chooseStore` of `@llmops/store`: the `store` input, llmops.yaml's
 * `store:`, GHCR of the repository, `.llmops/store`) and its credentials (`store-username`/
 * `store-password`, LLMOPS_REGISTRY_*, the job's token for GHCR only). Every credential is masked
 * here, before anything can log it, whether or not it is sent. `LLMOPS_TEST_GHCR_HOST` (tests only,
 * loopback hosts only) stands a local registry in for ghcr.io.
 */
export async function chooseActionStore(inputs: StoreInputs, context: ActionContext, configFile?: string): Promise<StoreChoice> {
  if (inputs.storePassword) core.setSecret(inputs.storePassword);
  const choice = await chooseConfiguredStore({
    input: inputs.store,
    cwd: context.workspace,
    configFile,
    env: context.env,
    credentials: { username: inputs.storeUsername, password: inputs.storePassword },
  });
  return masked(choice);
}

/** The choice, its credentials masked (whether or not they will be sent). */
function masked(choice: StoreChoice): StoreChoice {
  if (choice.auth && "token" in choice.auth) core.setSecret(choice.auth.token);
  if (choice.auth && "password" in choice.auth) core.setSecret(choice.auth.password);
  return choice;
}

/** Opens the chosen store, logging which one and where its credentials came from (never the secret). */
export function openActionStore(choice: StoreChoice, context: ActionContext): Store {
  context.logger.info(describeStoreChoice(choice));
  return openStore(choice.spec, { logger: context.logger, cwd: context.workspace, env: context.env, auth: choice.auth });
}

/**
 * For a pipeline that learns the config's `store:` itself (compare): opens the store `chooseStore`
 * picks from the `store` input (`candidates.input`) and that config value, with the action's
 * credentials, masked before anything can log them.
 */
export function actionStoreOpener(
  inputs: StoreInputs,
  context: ActionContext,
): (candidates: { input?: string | undefined; config?: string | undefined }) => Store {
  if (inputs.storePassword) core.setSecret(inputs.storePassword);
  return (candidates) => {
    const choice = chooseStore({
      input: candidates.input,
      config: candidates.config,
      env: context.env,
      credentials: { username: inputs.storeUsername, password: inputs.storePassword },
    });
    return openActionStore(masked(choice), context);
  };
}
