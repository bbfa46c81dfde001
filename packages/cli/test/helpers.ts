// Runs the CLI in-process with stdout and stderr captured, as the tests of every command do.
import { Writable } from "node:stream";
import { main } from "../src/main.ts";

type MainIo = NonNullable<Parameters<typeof main>[1]>;

export function capture(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      callback();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

export async function runMain(
  argv: string[],
  io: Omit<MainIo, "stdout" | "stderr">,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = capture();
  const stderr = capture();
  const code = await main(argv, { ...io, stdout: stdout.stream, stderr: stderr.stream });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
