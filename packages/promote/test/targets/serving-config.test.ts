import { describe, expect, it } from "vitest";
import { pointTfServing, restoreTfServing } from "../../src/targets/serving-config.ts";

describe("pointTfServing with the served path (servedRoot)", () => {
  it("writes the base_path it is given, not a path of this host, into a new model.config", () => {
    const { text, previous } = pointTfServing(undefined, "sentiment", "/models/sentiment", 3);
    expect(previous).toBeNull();
    expect(text).toBe(
      'model_config_list {\n  config {\n    name: "sentiment"\n    base_path: "/models/sentiment"\n    model_platform: "tensorflow"\n' +
        '    model_version_policy { specific { versions: 3 } }\n    version_labels { key: "stable" value: 3 }\n  }\n}\n',
    );
  });

  it("moves an entry's base_path from the runner's path to the served one, and restores it byte for byte", () => {
    const before =
      'model_config_list {\n  config {\n    name: "sentiment"\n    base_path: "/home/runner/work/repo/models/sentiment"  # host\n  }\n}\n';
    const { text, previous } = pointTfServing(before, "sentiment", "/models/sentiment", 2);
    expect(text).toContain('base_path: "/models/sentiment"  # host');
    expect(text).not.toContain("/home/runner");
    expect(restoreTfServing(text, "sentiment", previous).text).toBe(before);
  });
});
