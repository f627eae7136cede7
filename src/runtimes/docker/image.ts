import { execFileSync } from "node:child_process";
import { realpathSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import type Docker from "dockerode";
import { ExecutorError } from "../../errors.ts";
import { SETTINGS } from "../../settings.ts";
import { bounded, REQUEST_TIMEOUT_MS, statusOf } from "./engine.ts";
import { type TarEntry, tarStream } from "./tar.ts";

/**
 * The tag `code-mode image build` gives its image unless told otherwise, and the docker runtime's
 * default image. (Images of this tag made before the runner needed isolated-vm were `:latest`.)
 */
export const RUNNER_IMAGE: string = SETTINGS["docker.image"].default;

/**
 * Where the image keeps the node_modules the runner imports: the runner is evaluated with `-e`
 * in /tmp, and Node looks for packages in each parent's node_modules, so /node_modules is found.
 */
const MODULES_DIR = "/node_modules";

/** Where node sits in every image we run: the runner image and the official `node` images alike. */
const NODE_PATH = "/usr/local/bin/node";

export interface BuiltImage {
  tag: string;
  id: string;
  /** Bytes, as the engine reports the image. */
  size: number;
  nodeVersion: string;
  /** Files copied from this machine: the Node binary, isolated-vm for it, and the libraries they link. */
  files: string[];
}

/**
 * Builds a runner image FROM scratch out of this process's Node binary and the shared libraries
 * it links (found with `ldd`), through the Engine API: no registry, no Dockerfile on disk.
 *
 * @example
 * import { buildRunnerImage } from "code-mode/docker";
 * const image = await buildRunnerImage(); // code-mode-runner:ivm, from this machine's Node
 * console.log(image.tag, image.size);
 * isolated-vm as `node_modules/isolated-vm` loads it here: its JS, the native addon that
 * node-gyp-build picks for this Node (ABI, platform, libc), and node-gyp-build itself; nothing else.
 */
function isolatedVmFiles(): { files: { source: string; path: string }[]; addon: string; version: string } {
  const require = createRequire(import.meta.url);
  const ivmDir = dirname(require.resolve("isolated-vm/package.json"));
  const fromIvm = createRequire(join(ivmDir, "package.json"));
  const gypDir = dirname(fromIvm.resolve("node-gyp-build/package.json"));
  const addon = (fromIvm("node-gyp-build") as { path(dir: string): string }).path(ivmDir);
  const inImage = (dir: string, name: string, file: string) => ({
    source: join(dir, file),
    path: `${MODULES_DIR}/${name}/${file}`,
  });
  const version = (fromIvm("./package.json") as { version: string }).version;
  return {
    addon,
    version,
    files: [
      ...["package.json", "isolated-vm.js", relative(ivmDir, addon)].map((file) =>
        inImage(ivmDir, "isolated-vm", file),
      ),
      ...["package.json", "index.js", "node-gyp-build.js"].map((file) => inImage(gypDir, "node-gyp-build", file)),
    ],
  };
}

/**
 * Builds a runner image FROM scratch out of this process's Node binary, isolated-vm's addon for
 * it and the shared libraries both link (found with `ldd`), through the Engine API: no registry,
 * no Dockerfile on disk.
 */
export async function buildRunnerImage(
  docker: Docker,
  tag = RUNNER_IMAGE,
  onProgress?: (line: string) => void,
): Promise<BuiltImage> {
  const sandbox = isolatedVmFiles();
  const libraries = [...new Set([...linkedLibraries(process.execPath), ...linkedLibraries(sandbox.addon)])];
  const entries: TarEntry[] = [];
  const dirs = new Set<string>([
    "rootfs",
    "rootfs/etc",
    "rootfs/tmp",
    "rootfs/usr",
    "rootfs/usr/local",
    "rootfs/usr/local/bin",
  ]);
  for (const path of [...libraries, ...sandbox.files.map((f) => f.path)]) {
    for (let dir = dirname(path); dir !== "/"; dir = dirname(dir)) dirs.add(`rootfs${dir}`);
  }
  for (const dir of [...dirs].sort())
    entries.push({ type: "dir", path: dir, mode: dir === "rootfs/tmp" ? 0o1777 : 0o755 });
  const file = (path: string, source: string, mode = 0o755) => {
    // Libraries are often symlinks; the image gets the file itself under the linked name.
    const real = realpathSync(source);
    entries.push({ type: "file", path, mode, size: statSync(real).size, source: real });
  };
  file(`rootfs${NODE_PATH}`, process.execPath);
  for (const lib of libraries) file(`rootfs${lib}`, lib);
  for (const { source, path } of sandbox.files) file(`rootfs${path}`, source, 0o644);
  const text = (path: string, content: string) => {
    const source = Buffer.from(content);
    entries.push({ type: "file", path, mode: 0o644, size: source.length, source });
  };
  text(
    "rootfs/etc/passwd",
    "root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n",
  );
  text("rootfs/etc/group", "root:x:0:\nnogroup:x:65534:\n");
  const libraryPath = [...new Set(libraries.map((lib) => dirname(lib)))].join(":");
  text(
    "Dockerfile",
    [
      "FROM scratch",
      "COPY rootfs/ /",
      `ENV PATH=/usr/local/bin${libraryPath ? ` LD_LIBRARY_PATH=${libraryPath}` : ""}`,
      "USER 65534:65534",
      "WORKDIR /tmp",
      `LABEL code-mode.runner-image=1 code-mode.node-version=${process.version} code-mode.isolated-vm=${sandbox.version}`,
      'CMD ["node"]',
      "",
    ].join("\n"),
  );

  const stream = await docker.buildImage(tarStream(entries) as unknown as NodeJS.ReadableStream, {
    t: tag,
    rm: true,
    forcerm: true,
  });
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null, output: { error?: string; errorDetail?: { message?: string } }[]) => {
        const failed = error?.message ?? output.find((o) => o.error)?.error;
        if (failed) reject(new ExecutorError(`Building the runner image failed: ${failed}`));
        else resolve();
      },
      (event: { stream?: string }) => {
        if (event.stream?.trim()) onProgress?.(event.stream.trim());
      },
    );
  });
  const info = await docker.getImage(tag).inspect();
  return {
    tag,
    id: info.Id,
    size: info.Size,
    nodeVersion: process.version,
    files: [process.execPath, ...sandbox.files.map((f) => f.source), ...libraries],
  };
}

/** The shared libraries (and the loader) a binary links, as absolute paths; none for a static binary. */
function linkedLibraries(binary: string): string[] {
  let out: string;
  try {
    out = execFileSync("ldd", [binary], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const text = `${(error as { stdout?: string }).stdout ?? ""}${(error as { stderr?: string }).stderr ?? ""}`;
    if (/not a dynamic executable|statically linked/.test(text)) return [];
    throw new ExecutorError(`Cannot list the libraries of ${binary} with ldd: ${(error as Error).message}`);
  }
  const libraries: string[] = [];
  for (const line of out.split("\n")) {
    // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
    const match = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
    if (match) libraries.push(match[1]!);
    else if (/not found/.test(line))
      throw new ExecutorError(`${binary} needs a library that is missing here: ${line.trim()}`);
  }
  return libraries;
}

/**
 * The image to run, as configured (by default the runner image of `code-mode image build`); we
 * never pull on our own. A missing image gets an error that says how to make it.
 */
export async function resolveImage(docker: Docker, configured: string, ms = REQUEST_TIMEOUT_MS): Promise<string> {
  if (await imageExists(docker, configured, ms)) return configured;
  throw new ExecutorError(
    `The Docker image "${configured}" is not present on the engine. ${configured === RUNNER_IMAGE ? "Build it without a registry with `code-mode image build`." : `Build the runner image with \`code-mode image build --tag ${configured}\`, or use the default "${RUNNER_IMAGE}" that \`code-mode image build\` makes.`} The runtime needs Node 24 with isolated-vm in the image.`,
  );
}

/** The error for an image whose Node cannot load isolated-vm (a plain `node` image, an old runner image). */
export function noSandboxInImage(image: string, stderr: string): ExecutorError {
  const said =
    stderr
      .trim()
      .split("\n")
      .find((line) => /isolated-vm|NODE_MODULE_VERSION|ERR_DLOPEN_FAILED/.test(line)) ?? "";
  return new ExecutorError(
    `The Docker image "${image}" cannot run the sandbox: its Node does not load isolated-vm (${said.trim().slice(0, 300) || "not found"}). The docker runtime runs each program in an isolated-vm isolate inside the container; \`code-mode image build\` makes an image that carries it ("${RUNNER_IMAGE}", the default codeMode.docker.image).`,
  );
}

async function imageExists(docker: Docker, name: string, ms: number): Promise<boolean> {
  try {
    // dockerode's Image.inspect takes no abort signal; the same request through the modem does.
    await bounded(
      ms,
      "an image lookup",
      (abortSignal) =>
        new Promise((resolve, reject) =>
          docker.modem.dial(
            {
              path: `/images/${name}/json`,
              method: "GET",
              abortSignal,
              statusCodes: { 200: true, 404: "no such image", 500: "server error" },
            },
            (error: unknown, data: unknown) => (error ? reject(error) : resolve(data)),
          ),
        ),
    );
    return true;
  } catch (error) {
    if (statusOf(error) === 404) return false;
    throw error;
  }
}
