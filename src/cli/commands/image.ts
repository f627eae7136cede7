import { createDocker, pingEngine } from "../../runtimes/docker/engine.ts";
import { buildRunnerImage, RUNNER_IMAGE } from "../../runtimes/docker/image.ts";
import { parseFlags, UsageError } from "../usage.ts";

/** `code-mode image build [--tag NAME]`: the docker runtime's image, built without a registry. */
export async function imageCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    tag: { type: "string" },
    verbose: { type: "boolean" },
  });
  if (positionals[0] !== "build" || positionals.length > 1) {
    throw new UsageError(
      positionals.length === 0
        ? "image needs a subcommand: build."
        : `unknown image subcommand "${positionals.join(" ")}"; expected build.`,
    );
  }
  const tag = values.tag ?? RUNNER_IMAGE;
  if (!/^[a-z0-9][a-z0-9._\-/:]*$/.test(tag))
    throw new UsageError(`--tag is "${tag}"; expected an image name such as ${RUNNER_IMAGE}.`);
  const docker = createDocker();
  await pingEngine(docker, 5000);
  process.stderr.write(
    `Building ${tag} from ${process.execPath} (${process.version}), isolated-vm for it and the libraries they link...\n`,
  );
  const started = performance.now();
  const image = await buildRunnerImage(
    docker,
    tag,
    values.verbose ? (line) => process.stderr.write(`  ${line}\n`) : undefined,
  );
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `Built ${image.tag} (${image.id.slice(0, 19)}): Node ${image.nodeVersion}, ${(image.size / 1e6).toFixed(1)} MB, ${image.files.length} files from this machine, in ${seconds} s.\n` +
      (image.tag === RUNNER_IMAGE
        ? `The docker runtime uses it by default.\n`
        : `Use it with runtime "docker" by setting codeMode.docker.image to "${image.tag}".\n`),
  );
  return 0;
}
