// `code-mode image build`: a runner image from this machine's Node, through the Engine API.
// Runtime behaviour is under test: the type check is off, so every program reaches the runtime.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { createCodeModeTool, ToolRegistry } from "../../src/index.ts";
import { createDocker } from "../../src/runtimes/docker/engine.ts";
import { testTools } from "../support/tools.ts";
import { childrenLeft, containersLeft, dockerSkipReason } from "./support.ts";

const skip = await dockerSkipReason();
const run = promisify(execFile);
const CLI = new URL("../../bin/code-mode.js", import.meta.url).pathname;
const TAG = `code-mode-runner:test-${process.pid}`;

describe.skipIf(skip)("code-mode image build", () => {
  afterAll(async () => {
    await createDocker()
      .getImage(TAG)
      .remove({ force: true })
      .catch(() => {});
    expect(await containersLeft()).toEqual([]);
    expect(await childrenLeft()).toEqual([]);
  });

  it("builds a runner image FROM scratch that runs programs, and says what it built", async () => {
    const { stdout } = await run(process.execPath, [CLI, "image", "build", "--tag", TAG]);
    expect(stdout).toMatch(
      new RegExp(
        `^Built ${TAG} \\(sha256:[0-9a-f]{12}\\): Node ${process.version}, \\d+\\.\\d MB, \\d+ files from this machine`,
      ),
    );
    const info = await createDocker().getImage(TAG).inspect();
    expect(info.Config.User).toBe("65534:65534");
    expect(info.Config.Labels?.["code-mode.node-version"]).toBe(process.version);

    const tool = createCodeModeTool(new ToolRegistry(testTools().tools), {
      typecheck: "off",
      runtime: "docker",
      docker: { image: TAG, poolSize: 1 },
    });
    const { result } = await tool.execute({ code: "return await api.add({ a: 1, b: 1 });" });
    expect(result).toMatchObject({ ok: true, result: 2, runtime: "docker" });
    await tool.close();
  }, 120_000);

  it("refuses a missing subcommand with the usage", async () => {
    const error = await run(process.execPath, [CLI, "image"]).catch((e) => e);
    expect(error.code).toBe(2);
    expect(error.stderr).toMatch(/image needs a subcommand: build/);
  });
});
