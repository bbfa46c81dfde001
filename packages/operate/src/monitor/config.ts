import { type EnvironmentConfig, monitorKey } from "@llmops/core";

/** One monitor of an environment's `monitor:` (an object, or an entry of a list), defaults filled in. */
export type MonitorConfig = Exclude<NonNullable<EnvironmentConfig["monitor"]>, readonly unknown[]>;

export interface MonitorEntry {
  /** The alert key within the environment: the suite, else `drift`. */
  key: string;
  config: MonitorConfig;
  /** Its YAML path, for errors at its lines. */
  at: (string | number)[];
}

/** The monitors of an environment, in file order. */
export function monitorsOf(environment: string, config: EnvironmentConfig): MonitorEntry[] {
  const field = config.monitor;
  if (field === undefined) return [];
  const base = ["environments", environment, "monitor"];
  const list: MonitorConfig[] = Array.isArray(field) ? field : [field as MonitorConfig];
  return list.map((monitor, i) => ({ key: monitorKey(monitor), config: monitor, at: Array.isArray(field) ? [...base, i] : base }));
}
