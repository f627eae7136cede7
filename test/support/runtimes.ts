// Which runtimes the shared suites run on. Docker joins when an engine answers and an image to
// run exists; in CI (CI=true) its absence fails the run, elsewhere it is skipped with one line.

import type { RuntimeName } from "../../src/index.ts";
import { createDocker, pingEngine } from "../../src/runtimes/docker/engine.ts";
import { resolveImage } from "../../src/runtimes/docker/image.ts";
import { DEFAULTS } from "../../src/settings.ts";

let docker: Promise<string | undefined> | undefined;

/** Why docker cannot be tested here, or undefined when it can. */
export function dockerUnavailable(): Promise<string | undefined> {
  docker ??= (async () => {
    const client = createDocker();
    try {
      await pingEngine(client, 3000);
      await resolveImage(client, DEFAULTS.docker.image);
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  })();
  return docker;
}

export async function runtimesUnderTest(): Promise<RuntimeName[]> {
  const list: RuntimeName[] = ["vm"];
  const why = await dockerUnavailable();
  if (!why) list.push("docker");
  else if (process.env.CI === "true") throw new Error(`CI needs the docker runtime: ${why}`);
  else console.warn(`[code-mode tests] skipping the docker runtime: ${why.split(". ")[0]}.`);
  return list;
}
