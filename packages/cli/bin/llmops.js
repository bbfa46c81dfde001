#!/usr/bin/env node
// The CLI is TypeScript run by Node's own type stripping (Node >= 22.18). When an older Node
// starts this file, hand over to the Node 24 the workspace installs (the `node` package).
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

// A closed pipe (`llmops ls | head`) is not an error.
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

if (process.features.typescript) {
  const { main } = await import("../src/main.ts");
  process.exitCode = await main(process.argv.slice(2));
} else {
  let node24;
  try {
    node24 = createRequire(import.meta.url).resolve("node/bin/node");
  } catch {
    process.stderr.write(`llmops: needs Node >= 22.18 (this is ${process.version}); run \`pnpm install\` to get Node 24\n`);
    process.exit(2);
  }
  const result = spawnSync(node24, [new URL(import.meta.url).pathname, ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(result.status ?? 3);
}
