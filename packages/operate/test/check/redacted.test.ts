import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type CheckEntryOf, type CheckResult, checkDataset, RedactedCopyError } from "../../src/index.ts";
import { jsonl, logger, tempDir, writeFiles } from "./helpers.ts";

const pii = (result: CheckResult) => result.checks.find((c) => c.name === "pii") as CheckEntryOf<"pii">;

/** Planted values and how the dataset writes them; none may survive in the copy, in any spelling. */
const PLANTED = [
  "john.doe@example.com",
  "+44 20 7946 0958",
  "4111 1111 1111 1111",
  "4111111111111111",
  "DE89 3704 0044 0532 0130 00",
  "203.0.113.42",
  "2001:db8::ff00:42:8329",
  "ghp_0123456789abcdefghijABCDEFGHIJ012345",
  "AKIAIOSFODNN7EXAMPLE",
];

describe("redacted copy", () => {
  it("holds none of the planted values, keeps every line and every other byte of meaning", async () => {
    const root = await tempDir();
    const rows = [
      { id: "1", question: `mail ${PLANTED[0]} or call ${PLANTED[1]}`, expected: "ok" },
      { id: "2", question: `card ${PLANTED[2]}, again ${PLANTED[3]}`, meta: { iban: PLANTED[4] } },
      { id: "3", messages: [{ role: "user", content: `from ${PLANTED[5]} and ${PLANTED[6]}` }] },
      { id: "4", question: "nothing to hide here" },
    ];
    // The same e-mail address written with a JSON escape: only a JSON-aware redaction sees it.
    const escaped = '{"id": "5", "question": "write to john.doe\\u0040example.com"}';
    const dir = await writeFiles(join(root, "data"), {
      "train.jsonl": `${jsonl(rows)}\n${escaped}\nnot json: ${PLANTED[7]} ${PLANTED[8]}\n`,
      "extra/cases.csv": `question,expected\n"call ${PLANTED[1]}",yes\nplain,no\n`,
      "extra/cases.yaml": `- question: "key ${PLANTED[8]}"\n  expected: yes\n`,
      "extra/cases.json": JSON.stringify([{ question: `mail ${PLANTED[0]}` }]),
    });
    const out = join(root, "redacted");
    const result = await checkDataset({ path: dir, logger, redactTo: out });
    expect(pii(result).redacted).toEqual({ path: out, files: 4, droppedLines: 0, droppedFiles: [] });

    const train = await readFile(join(out, "train.jsonl"), "utf8");
    const copies = [
      train,
      ...(await Promise.all(["cases.csv", "cases.yaml", "cases.json"].map((f) => readFile(join(out, "extra", f), "utf8")))),
    ];
    for (const text of copies) {
      for (const value of PLANTED) expect(text).not.toContain(value);
      expect(text).not.toMatch(/john\.doe/);
    }
    const lines = train.split("\n");
    expect(lines).toHaveLength(8);
    expect(JSON.parse(lines[0]!)).toEqual({ id: "1", question: "mail <EMAIL> or call <PHONE>", expected: "ok" });
    expect(JSON.parse(lines[1]!)).toEqual({ id: "2", question: "card <CREDIT_CARD>, again <CREDIT_CARD>", meta: { iban: "<IBAN>" } });
    expect(JSON.parse(lines[3]!)).toEqual(rows[3]);
    expect(lines[4]).toBe("");
    expect(JSON.parse(lines[5]!)).toEqual({ id: "5", question: "write to <EMAIL>" });
    expect(lines[6]).toBe("not json: <SECRET> <SECRET>");
    expect(copies[1]).toBe('question,expected\n"call <PHONE>",yes\nplain,no\n');
    expect(copies[2]).toBe('- question: "key <SECRET>"\n  expected: yes\n');
    // The copy checks clean.
    const again = await checkDataset({ path: out, logger });
    expect(pii(again).findings).toBe(0);
  });

  it("never overwrites: an existing non-empty destination is refused before anything is read", async () => {
    const root = await tempDir();
    const dir = await writeFiles(join(root, "d"), { "d.jsonl": jsonl([{ q: "a@example.com" }]) });
    const out = await writeFiles(join(root, "out"), { "keep.txt": "mine" });
    await expect(checkDataset({ path: dir, logger, redactTo: out })).rejects.toBeInstanceOf(RedactedCopyError);
    expect(await readdir(out)).toEqual(["keep.txt"]);
    // An empty directory is fine.
    const empty = join(root, "empty");
    await mkdir(empty);
    await checkDataset({ path: dir, logger, redactTo: empty });
    expect(await readFile(join(empty, "d.jsonl"), "utf8")).toBe('{"q":"<EMAIL>"}\n');
  });

  it("leaves nothing behind when a file cannot be redacted safely: no destination, no temporary directory", async () => {
    const root = await tempDir();
    // YAML's "\x40" is "@": a line scan cannot see this address, and the verification pass refuses the copy.
    const dir = await writeFiles(join(root, "d"), {
      "a.jsonl": jsonl([{ q: "first file is fine, b@example.com" }]),
      "b.yaml": '- question: "mail john\\x40example.com"\n',
    });
    const out = join(root, "out");
    await expect(checkDataset({ path: dir, logger, redactTo: out })).rejects.toThrow(
      /redacted copy .*out: b\.yaml: line 1 still holds personal data once redacted/,
    );
    expect((await readdir(root)).sort()).toEqual(["d"]);
  });

  it("leaves nothing behind when stopped by a signal", async () => {
    const root = await tempDir();
    const scratch = await tempDir();
    const dir = await writeFiles(join(root, "d"), { "d.jsonl": jsonl([{ q: "a@example.com" }]) });
    const controller = new AbortController();
    controller.abort(new Error("interrupted by SIGINT"));
    await expect(
      checkDataset({ path: dir, logger, redactTo: join(root, "out"), signal: controller.signal, tempDir: scratch }),
    ).rejects.toThrow("interrupted by SIGINT");
    expect(await readdir(root)).toEqual(["d"]);
    expect(await readdir(scratch)).toEqual([]);
  });

  it("leaves lines it could not hold blank and counts them, so line numbers still match", async () => {
    const root = await tempDir();
    const dir = await writeFiles(join(root, "d"), {
      "d.jsonl": `{"q": "a@example.com"}\n{"q": "${"y".repeat(10_000)} c@example.com"}\n{"deep": ${"[".repeat(200)}${"]".repeat(200)}}\n{"q": "ok"}\n`,
    });
    const out = join(root, "out");
    const result = await checkDataset({ path: dir, logger, redactTo: out, config: { maxLineBytes: 4096 } });
    expect(pii(result).redacted).toMatchObject({ droppedLines: 2 });
    expect(await readFile(join(out, "d.jsonl"), "utf8")).toBe('{"q":"<EMAIL>"}\n\n\n{"q":"ok"}\n');
  });

  it("redacts file names too", async () => {
    const root = await tempDir();
    const dir = await writeFiles(join(root, "d"), { "jane@example.com.jsonl": jsonl([{ q: "x" }]), "other.jsonl": jsonl([{ q: "y" }]) });
    await writeFile(join(dir, "notes.md"), "not copied");
    const out = join(root, "out");
    await checkDataset({ path: dir, logger, redactTo: out });
    expect((await readdir(out)).sort()).toEqual(["_EMAIL_", "other.jsonl"]);
  });
});
