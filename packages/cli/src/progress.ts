import type { ProgressEvent } from "@llmops/store";
import type { CommandContext } from "./command.ts";

/** Progress for long transfers: a redrawn bar on a terminal, a line per 10% step in CI logs. */
export interface Progress {
  /** Adds `n` units done (negative to undo a failed attempt). */
  tick(n: number): void;
  done(): void;
}

export interface ProgressOptions {
  label: string;
  total: number;
  unit: "bytes" | "items";
  interactive: boolean;
  stream: NodeJS.WritableStream;
}

export function formatAmount(n: number, unit: "bytes" | "items"): string {
  if (unit === "items") return String(n);
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = n;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return `${i === 0 ? value : value.toFixed(1)} ${units[i]}`;
}

export function createProgress(options: ProgressOptions): Progress {
  const { label, total, unit, interactive, stream } = options;
  let current = 0;
  let lastStep = -1;
  let lastDraw = 0;
  let finished = false;
  const amount = () => `${formatAmount(current, unit)}/${formatAmount(total, unit)}`;
  const percent = () => (total > 0 ? Math.min(100, Math.floor((current / total) * 100)) : 100);
  const draw = (force: boolean) => {
    if (interactive) {
      const now = Date.now();
      if (!force && now - lastDraw < 100) return;
      lastDraw = now;
      const width = 30;
      const filled = Math.round((percent() / 100) * width);
      stream.write(`\r${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(percent()).padStart(3)}% ${amount()}\u001b[K`);
      return;
    }
    const step = Math.floor(percent() / 10);
    if (step > lastStep || force) {
      lastStep = step;
      stream.write(`${label}: ${percent()}% (${amount()})\n`);
    }
  };
  return {
    tick(n) {
      if (finished) return;
      current = Math.max(0, current + n);
      draw(false);
    },
    done() {
      if (finished) return;
      finished = true;
      if (interactive) {
        draw(true);
        stream.write("\n");
      } else if (lastStep < 10) {
        current = Math.max(current, total);
        draw(true);
      }
    },
  };
}

/** Feeds store progress events to a bar/line reporter once the transfer is big enough to care. */
export function progressFor(label: string, context: CommandContext): (event: ProgressEvent) => void {
  let reporter: Progress | undefined;
  let last = 0;
  return (event) => {
    if (!reporter) {
      if (event.total < 8 * 1024 * 1024) return;
      reporter = createProgress({ label, total: event.total, unit: "bytes", interactive: context.interactive, stream: context.stderr });
    }
    reporter.tick(event.done - last);
    last = event.done;
    if (event.done >= event.total) reporter.done();
  };
}
