// A minimal ustar writer for the image build context. Hand-written on purpose: the only tar
// library in node_modules (tar-stream) is a transitive dependency of dockerode without types,
// and a build context needs just directories and regular files (~40 lines).
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";

/** One entry of the archive: a directory, or a file from disk or from memory. */
export type TarEntry =
  | { type: "dir"; path: string; mode: number }
  | { type: "file"; path: string; mode: number; size: number; source: string | Buffer };

const BLOCK = 512;

/** The archive as a stream, reading files from disk as it goes (the Node binary is ~120 MB). */
export function tarStream(entries: TarEntry[]): Readable {
  return Readable.from(blocks(entries));
}

async function* blocks(entries: TarEntry[]): AsyncGenerator<Buffer> {
  for (const entry of entries) {
    yield header(entry);
    if (entry.type === "dir") continue;
    let written = 0;
    if (typeof entry.source === "string") {
      for await (const chunk of createReadStream(entry.source)) {
        written += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
    } else {
      written = entry.source.length;
      yield entry.source;
    }
    if (written !== entry.size) throw new Error(`${entry.path} changed size while it was archived.`);
    const pad = (BLOCK - (written % BLOCK)) % BLOCK;
    if (pad) yield Buffer.alloc(pad);
  }
  yield Buffer.alloc(BLOCK * 2);
}

function header(entry: TarEntry): Buffer {
  const block = Buffer.alloc(BLOCK);
  let name = entry.type === "dir" && !entry.path.endsWith("/") ? `${entry.path}/` : entry.path;
  let prefix = "";
  if (Buffer.byteLength(name) > 100) {
    // ustar splits long paths at a slash into prefix (155) and name (100).
    const cut = name.lastIndexOf("/", name.length - 2);
    prefix = name.slice(0, cut);
    name = name.slice(cut + 1);
    if (Buffer.byteLength(name) > 100 || Buffer.byteLength(prefix) > 155)
      throw new Error(`Path too long for tar: ${entry.path}`);
  }
  block.write(name, 0, 100, "utf8");
  octal(block, 100, 8, entry.mode);
  octal(block, 108, 8, 0); // uid: root owns the image's files
  octal(block, 116, 8, 0);
  octal(block, 124, 12, entry.type === "file" ? entry.size : 0);
  octal(block, 136, 12, Math.floor(Date.now() / 1000));
  block.fill(0x20, 148, 156); // checksum field counts as spaces while summing
  block.write(entry.type === "dir" ? "5" : "0", 156, 1, "ascii");
  block.write("ustar\u000000", 257, 8, "ascii");
  block.write("root", 265, 32, "ascii");
  block.write("root", 297, 32, "ascii");
  block.write(prefix, 345, 155, "utf8");
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\u0000 `, 148, 8, "ascii");
  return block;
}

function octal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(`${value.toString(8).padStart(length - 1, "0")}\u0000`, offset, length, "ascii");
}
