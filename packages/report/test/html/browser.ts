// Headless Chromium for the HTML report's tests and benchmark: Debian's `chromium` (listed in
// test/prerequisites.yaml, found through requireProgram) driven by playwright-core, which never
// downloads a browser. playwright-core is a dependency of @llmops/test, so it is loaded through that
// package's resolution.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, BrowserContext, Page } from "../../../../test/node_modules/playwright-core/index.js";
import { requireProgram } from "../../../../test/src/prerequisites.ts";

type PlaywrightCore = typeof import("../../../../test/node_modules/playwright-core/index.js");

export type { Browser, Page };

const playwright = createRequire(new URL("../../../../test/package.json", import.meta.url))("playwright-core") as PlaywrightCore;

/** Launches the system Chromium headless (without its sandbox when running as root, which it refuses otherwise). */
export async function launchChromium(): Promise<Browser> {
  const executablePath = requireProgram("chromium");
  const root = process.getuid?.() === 0;
  return playwright.chromium.launch({ executablePath, headless: true, args: root ? ["--no-sandbox"] : [] });
}

export interface OpenedReport {
  page: Page;
  context: BrowserContext;
  /** Every URL the page requested besides the report file itself. */
  requests: string[];
  /** Console errors and uncaught exceptions. */
  errors: string[];
  /** Milliseconds from navigation to DOMContentLoaded and to `data-state="ready"` (the case table has rows). */
  timings: { domContentLoaded: number; ready: number };
  close(): Promise<void>;
}

/**
 * Opens a report file (or HTML text, written to a temp file) from file://, as a reviewer opening
 * a downloaded artifact does, recording requests and errors, and waits until it is ready.
 */
export async function openReport(
  browser: Browser,
  source: { html: string } | { file: string },
  options: { width?: number; height?: number; timeoutMs?: number } = {},
): Promise<OpenedReport> {
  let dir: string | undefined;
  let file: string;
  if ("file" in source) file = source.file;
  else {
    dir = await mkdtemp(join(tmpdir(), "llmops-report-html-"));
    file = join(dir, "report.html");
    await writeFile(file, source.html);
  }
  const url = pathToFileURL(file).href;
  const context = await browser.newContext({ viewport: { width: options.width ?? 1280, height: options.height ?? 900 } });
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on("request", (request) => {
    if (request.url() !== url) requests.push(request.url());
  });
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(`uncaught: ${error.message}`));
  const start = Date.now();
  await page.goto(url, { waitUntil: "domcontentloaded", timeout: options.timeoutMs ?? 30_000 });
  const domContentLoaded = Date.now() - start;
  // A string: it runs in the page, and this program has no DOM types.
  await page.waitForFunction('document.documentElement.dataset.state === "ready"', undefined, { timeout: options.timeoutMs ?? 30_000 });
  const ready = Date.now() - start;
  return {
    page,
    context,
    requests,
    errors,
    timings: { domContentLoaded, ready },
    async close() {
      await context.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}
