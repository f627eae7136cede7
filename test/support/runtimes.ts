// Which runtimes the shared suites run on. Docker joins when an engine answers (always in CI).
import type { RuntimeName } from "../../src/index.ts";

export async function runtimesUnderTest(): Promise<RuntimeName[]> {
  const list: RuntimeName[] = ["vm"];
  // The docker runtime adds itself here once it exists (see test/docker).
  return list;
}
