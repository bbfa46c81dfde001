// The store a command opens: loaded by the commands' implementations only (it imports
// @llmops/store), never by the registry or `--help`.
import { chooseStore, configuredStore, describeStoreChoice, openStore, type Store } from "@llmops/store";
import { type CommandContext, optionalString, type ParsedArgs } from "./command.ts";

/**
 * The store a command uses, by the one rule of `chooseStore` (`@llmops/store`): `--store`, else
 * `store:` of `configFile` (default llmops.yaml in the working directory), else GHCR of the
 * repository in GitHub Actions, else `.llmops/store`; credentials from the flags, LLMOPS_REGISTRY_*,
 * then GITHUB_TOKEN for ghcr.io only. Logged at debug level (`-v`), never with a secret.
 */
export async function openCommandStore(values: ParsedArgs["values"], context: CommandContext, configFile?: string): Promise<Store> {
  const input = optionalString(values.store);
  // The config is read only when it can matter: an explicit store wins without it.
  const config = input ? undefined : await configuredStore(context.cwd, configFile);
  return commandStoreOpener(values, context)({ input, config });
}

/**
 * Opens the store `chooseStore` picks from the `--store` flag (`candidates.input`) and a config's
 * `store:` the caller has read (eval and compare get both back from the config they load), with
 * the command's credentials.
 */
export function commandStoreOpener(
  values: ParsedArgs["values"],
  context: CommandContext,
): (candidates: { input?: string | undefined; config?: string | undefined }) => Store {
  return (candidates) => {
    const choice = chooseStore({
      input: candidates.input,
      config: candidates.config,
      env: context.env,
      credentials: { username: optionalString(values["store-username"]), password: optionalString(values["store-password"]) },
    });
    context.logger.debug(describeStoreChoice(choice));
    return openStore(choice.spec, { logger: context.logger, cwd: context.cwd, env: context.env, auth: choice.auth });
  };
}
