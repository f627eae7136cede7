// `code-mode/docker`: the docker runtime and its runner image. Every export here is public API.
// Loads dockerode; `createCodeModeTool(registry, { runtime: "docker" })` loads it by itself.
export { DockerExecutor, type DockerExecutorOptions } from "./docker-executor.ts";
export { type BuiltImage, buildRunnerImage, RUNNER_IMAGE } from "./image.ts";
