import { describe, expect, it } from "vitest";
import { leakedSecrets, runAction } from "../src/harness.ts";
import { actionsRoot, script } from "./helpers.ts";

const SECRET = "sk-live-0123456789";

describe("leakedSecrets", () => {
  it("finds nothing when the action never shows the secret", async () => {
    const result = await runAction("main-only", {
      actionsRoot,
      env: {
        ...script({
          main: [
            ["print", "working\n"],
            ["append", "OUTPUT", "ok=true\n"],
          ],
        }),
        API_KEY: SECRET,
      },
    });
    expect(leakedSecrets(result, [SECRET])).toEqual([]);
  });

  it("finds the secret on stdout and stderr before it was masked, never after", async () => {
    const result = await runAction("main-only", {
      actionsRoot,
      env: script({
        main: [
          ["eprint", `key=${SECRET}\n`],
          ["print", `::add-mask::${SECRET}\n`],
          ["print", `again ${SECRET}\n`],
        ],
      }),
    });
    expect(leakedSecrets(result, [SECRET])).toEqual([{ where: "log", detail: "secret #1 in main stderr line 1" }]);
  });

  it("finds the secret in outputs even when masked, since outputs travel unmasked", async () => {
    const result = await runAction("main-only", {
      actionsRoot,
      env: script({
        main: [
          ["print", `::add-mask::${SECRET}\n`],
          ["append", "OUTPUT", `header=Bearer ${SECRET}\n`],
        ],
      }),
    });
    expect(leakedSecrets(result, [SECRET])).toEqual([{ where: "outputs", detail: 'secret #1 in main output "header"' }]);
  });

  it("finds the secret in an unmasked summary, in annotations and debug messages", async () => {
    const result = await runAction("main-only", {
      actionsRoot,
      env: script({
        main: [
          ["append", "STEP_SUMMARY", `token: ${SECRET}\n`],
          ["print", `::error title=${SECRET}::x\n::debug::${SECRET}\n`],
        ],
      }),
    });
    expect(leakedSecrets(result, [SECRET]).map((l) => l.where)).toEqual(["annotations", "debug", "summary"]);
  });

  it("never repeats the secret in its report and ignores empty secrets", async () => {
    const result = await runAction("main-only", { actionsRoot, env: script({ main: [["print", `${SECRET}\n`]] }) });
    const leaks = leakedSecrets(result, ["", SECRET]);
    expect(leaks).toHaveLength(1);
    expect(JSON.stringify(leaks)).not.toContain(SECRET);
  });
});
