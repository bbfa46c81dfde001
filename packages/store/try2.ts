import { openStore } from "@llmops/store";
import { stderrLogger } from "@llmops/core";
import { startRegistry } from "../../test/src/registry.ts";
const d = "/tmp/trystore";
for (const auth of ["none", "basic", "bearer"] as const) {
  const reg = await startRegistry({ auth });
  try {
    const s = openStore(`oci://${reg.host}/team`, { logger: stderrLogger({verbose:false}), cacheDir: `${d}/cache2`, auth: reg.username ? { username: reg.username, password: reg.password! } : undefined });
    const r = await s.version({ path: `${d}/src`, name: "my-model", kind: "model", aliases: ["latest"], created: "2024-01-01T00:00:00Z" });
    console.log(auth, r.digest, r.uploadedBytes);
    const f = await s.fetch("my-model:latest", `${d}/out-${auth}`);
    console.log(f.downloadedBytes, JSON.stringify(await s.list("my-model")), await s.list());
    console.log(JSON.stringify(await s.history("my-model", "latest")), (s.transport as any).referrersApi);
  } finally { await reg.close(); }
}
