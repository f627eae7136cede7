// `code-mode run` on a person's terminal: events shown as they happen, and calls that need
// approval asked about there. The real CLI runs under a real pseudo-terminal (pty-run.py), and
// without one as scripts run it.
import { execFile, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = new URL("../..", import.meta.url).pathname;
const BIN = join(ROOT, "bin/code-mode.js");
const TOOLS = join(ROOT, "test/cli/fixtures/gated-tools.ts");
const PTY_RUN = join(ROOT, "test/cli/fixtures/pty-run.py");

interface Gate {
  dir: string;
  config: string;
  program: string;
  /** The write_file calls that really ran, in order. */
  calls(): string[];
}

/** A directory with a config that loads the gated tools (calls marked by `require` need approval) and a program. */
function gate(program: string, require: string[] = ["files.write_file"]): Gate {
  const dir = mkdtempSync(join(tmpdir(), "code-mode-terminal-"));
  const config = join(dir, "code-mode.json5");
  // Patient, so a cold type check on a loaded machine is never skipped.
  writeFileSync(config, JSON.stringify({ codeMode: { typecheckTimeout: 120, approval: { require } }, tools: [TOOLS] }));
  writeFileSync(join(dir, "program.ts"), program);
  const log = join(dir, "calls.log");
  return {
    dir,
    config,
    program: join(dir, "program.ts"),
    calls: () => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : []),
  };
}

interface TerminalRun {
  code: number;
  /** Everything the terminal showed (stderr, prompts, echoed answers; stdout too unless piped). */
  terminal: string;
  stdout: string;
  /** Texts the script waited for that never appeared. */
  missed: string[];
  timedOut: boolean;
}

type Step = { expect: string; type: string } | { expect: string; touch: string };

/** Runs `code-mode ARGS` with a pseudo-terminal as its terminal and stderr, playing `steps` against it. */
function onTerminal(
  g: Gate,
  args: string[],
  options: { steps?: Step[]; stdin?: string; stdoutTty?: boolean } = {},
): Promise<TerminalRun> {
  const spec = {
    argv: [process.execPath, BIN, ...args, "--config", g.config, "--runtime", "vm"],
    cwd: g.dir,
    env: { GATE_DIR: g.dir },
    stdin: options.stdin ?? "tty",
    stdoutTty: options.stdoutTty ?? true,
    steps: options.steps ?? [],
    deadline: 90,
  };
  return new Promise((resolve, reject) => {
    execFile("python3", [PTY_RUN, JSON.stringify(spec)], { timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`pty-run.py failed: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as TerminalRun);
    });
  });
}

/** Runs `code-mode ARGS` as a script would: pipes only, in a session of its own with no terminal at all. */
function withoutTerminal(g: Gate | undefined, args: string[], input = "") {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args, ...(g ? ["--config", g.config, "--runtime", "vm"] : [])], {
      cwd: g?.dir ?? ROOT,
      env: { ...process.env, GATE_DIR: g?.dir ?? "" },
      detached: true,
      timeout: 60_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input);
  });
}

const PROMPT = "[y/N] ";
const prompts = (text: string) => text.split(PROMPT).length - 1;

// The pseudo-terminal comes from python3's pty module: without python3 these are skipped with a
// note, except in CI, which installs it (.ci/run).
const noPython = spawnSync("python3", ["--version"]).error !== undefined;
if (noPython && process.env.CI === "true") throw new Error("CI needs python3 for the terminal tests.");
if (noPython) console.warn("[code-mode tests] skipping the terminal tests: python3 is not installed.");

describe.skipIf(noPython)("code-mode run on a terminal", () => {
  it("asks before a marked call; y runs it once and the result is printed, console lines shown once", async () => {
    const g = gate(
      "console.log('about to write');\nconst r = await api.files.write_file({ path: 'a.txt', text: 'hi' });\nreturn r;",
    );
    const run = await onTerminal(g, ["run", g.program], { steps: [{ expect: PROMPT, type: "y" }] });
    expect(run).toMatchObject({ code: 0, missed: [], timedOut: false });
    expect(run.terminal).toContain('approve #1 api.files.write_file {"path":"a.txt","text":"hi"}? [y/N] y\n');
    expect(g.calls()).toEqual(["a.txt"]);
    expect(run.terminal).toMatch(/-- result \(vm, [\d.]+ ms\):\n\{\n {2}"written": "a.txt"\n\}\n/);
    // Shown live on this terminal, so not repeated with the result.
    expect(run.terminal.split("about to write").length - 1).toBe(1);
    expect(prompts(run.terminal)).toBe(1);
  }, 120_000);

  it("shows what a program writes behind a margin and escaped, so it cannot pose as a prompt", async () => {
    const g = gate(
      "console.log('approve #2 api.files.write_file {}? [y/N]\\u001b[8m\\u202e');\nreturn await api.files.write_file({ path: 'b.txt', text: '' });",
    );
    const run = await onTerminal(g, ["run", g.program], { steps: [{ expect: PROMPT, type: "y" }] });
    expect(run).toMatchObject({ code: 0, missed: [], timedOut: false });
    expect(run.terminal).toContain("  | approve #2 api.files.write_file {}? [y/N]\\u001b[8m\\u202e\n");
    expect(run.terminal).not.toContain("\u001b[8m");
    // The real prompt starts at the left edge, and only it was answered.
    expect(run.terminal).toMatch(/\napprove #1 api\.files\.write_file \{"path":"b\.txt","text":""\}\? \[y\/N\] y\n/);
    expect(g.calls()).toEqual(["b.txt"]);
  }, 120_000);

  it("asks about parallel calls one at a time; n gives the program an error it can catch", async () => {
    const g = gate(
      [
        "const settled = await Promise.allSettled([",
        "  api.files.write_file({ path: 'first.txt', text: 'x' }),",
        "  api.files.write_file({ path: 'second.txt', text: 'y' }),",
        "]);",
        "return settled.map((s) => (s.status === 'fulfilled' ? s.value.written : (s.reason as Error).message));",
      ].join("\n"),
    );
    const run = await onTerminal(g, ["run", g.program], {
      steps: [
        { expect: PROMPT, type: "n" },
        { expect: PROMPT, type: "yes" },
      ],
    });
    expect(run).toMatchObject({ code: 0, missed: [], timedOut: false });
    expect(prompts(run.terminal)).toBe(2);
    // The second prompt appeared only after the first was answered.
    const [, afterFirst] = run.terminal.split(PROMPT);
    expect(afterFirst!.startsWith("n\n")).toBe(true);
    expect(run.terminal).toMatch(/approve #1 api\.files\.write_file \{"path":"first\.txt".*\n[\s\S]*approve #2 /);
    expect(g.calls()).toEqual(["second.txt"]);
    expect(run.terminal).toContain(
      '"api.files.write_file was not approved. It did not run; do not retry it, say what you wanted it to do instead."',
    );
    expect(run.terminal).toContain('"second.txt"');
  }, 120_000);

  it("shows console lines and calls as they happen, and keeps the full report for a piped stdout", async () => {
    const g = gate(
      "console.log('waiting for release');\nconst answer = await api.wait_for_release({});\nconsole.log('got', answer);\nreturn answer;",
    );
    // The tool ends only once the script saw the console line written before it: so it was shown live.
    const run = await onTerminal(g, ["run", g.program], {
      steps: [{ expect: "waiting for release", touch: join(g.dir, "release") }],
      stdoutTty: false,
    });
    expect(run).toMatchObject({ code: 0, missed: [], timedOut: false });
    expect(run.terminal).toMatch(
      / {2}\| waiting for release\n#1 api\.wait_for_release started\n#1 api\.wait_for_release ok in \d+ ms\n {2}\| got released\n/,
    );
    // stdout is not the terminal: it gets everything, as without a terminal.
    expect(run.stdout).toMatch(
      /^waiting for release\ngot released\n-- 1 tool call:\n {3}ok {3}wait_for_release \([\d.]+ ms\)\n-- result \(vm, [\d.]+ ms\):\n"released"\n$/,
    );
    expect(run.terminal).not.toContain("-- result");
  }, 120_000);

  it("asks on the terminal when the program comes from standard input, and --json output stays one line", async () => {
    const g = gate("return await api.files.write_file({ path: 'piped.txt', text: 'z' });");
    const run = await onTerminal(g, ["run", "-", "--json"], {
      stdin: readFileSync(g.program, "utf8"),
      stdoutTty: false,
      steps: [{ expect: PROMPT, type: "y" }],
    });
    expect(run).toMatchObject({ code: 0, missed: [], timedOut: false });
    expect(run.terminal).toContain("approve #1 api.files.write_file");
    expect(run.terminal).not.toContain("#1 api.files.write_file started"); // no live lines with --json
    expect(g.calls()).toEqual(["piped.txt"]);
    const lines = run.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ ok: true, result: { written: "piped.txt" } });
  }, 120_000);

  it("stops asking when --approval-timeout passes: the call does not run and the program is told", async () => {
    const g = gate(
      "try { await api.files.write_file({ path: 'late.txt', text: 'x' }); return 'ran'; } catch (e) { return (e as Error).message; }",
    );
    const run = await onTerminal(g, ["run", g.program, "--approval-timeout", "0.5"]);
    expect(run).toMatchObject({ code: 0, timedOut: false });
    expect(run.terminal).toContain("no answer within 0.5 s (--approval-timeout): api.files.write_file did not run");
    expect(run.terminal).toContain("got no answer to its approval request within 0.5 s");
    expect(g.calls()).toEqual([]);
  }, 120_000);
});

describe("code-mode run without a terminal", () => {
  const program =
    "const out: string[] = [];\nfor (const path of ['a.txt', 'b.txt']) {\n  try { out.push((await api.files.write_file({ path, text: 'x' })).written); }\n  catch (e) { out.push((e as Error).message); }\n}\nreturn out;";

  it("decides marked calls with --approve and --deny (deny wins), and refuses the rest, saying how to allow them", async () => {
    const g = gate(program);
    const approved = await withoutTerminal(g, ["run", g.program, "--json", "--approve", "files.*", "--deny", "*b.txt"]);
    // Patterns name tools, not inputs: *b.txt matches no tool, so both calls are approved.
    expect(JSON.parse(approved.stdout)).toMatchObject({ ok: true, result: ["a.txt", "b.txt"] });
    expect(g.calls()).toEqual(["a.txt", "b.txt"]);

    const denied = await withoutTerminal(g, [
      "run",
      g.program,
      "--json",
      "--approve",
      "files.*",
      "--deny",
      "*.write_*",
    ]);
    expect(JSON.parse(denied.stdout).result).toEqual([
      "api.files.write_file was not approved (--deny *.write_*). It did not run; do not retry it, say what you wanted it to do instead.",
      "api.files.write_file was not approved (--deny *.write_*). It did not run; do not retry it, say what you wanted it to do instead.",
    ]);

    const unasked = await withoutTerminal(g, ["run", g.program, "--json"]);
    expect(JSON.parse(unasked.stdout).result[0]).toBe(
      "api.files.write_file needs a person's approval (codeMode.approval.require), and there is no terminal to ask; pass --approve with its path to allow it, or --deny to refuse it quietly. It did not run; do not retry it, say what you wanted it to do instead.",
    );
    expect(g.calls()).toEqual(["a.txt", "b.txt"]);
  }, 120_000);

  it("marks calls with --require-approval, over the config's list", async () => {
    const g = gate(program, []);
    const run = await withoutTerminal(g, ["run", g.program, "--json", "--require-approval", "files.write_file"]);
    expect(JSON.parse(run.stdout).result[0]).toMatch(/needs a person's approval .* there is no terminal to ask/);
    expect(g.calls()).toEqual([]);
    // Readable output with stderr not a terminal is what it always was: no live lines.
    const readable = await withoutTerminal(g, ["run", g.program, "--require-approval", "files.*", "--approve", "*"]);
    expect(readable.stdout).toMatch(/^-- 2 tool calls:\n {3}ok {3}files\.write_file/);
    expect(readable.stderr).toBe("");
    expect(g.calls()).toEqual(["a.txt", "b.txt"]);
  }, 120_000);

  it("--deny refuses its calls even when no policy marks them; --approve alone says it changes nothing", async () => {
    const g = gate(program, []);
    const denied = await withoutTerminal(g, ["run", g.program, "--json", "--deny", "*.write_file"]);
    expect(JSON.parse(denied.stdout).result).toEqual([
      "api.files.write_file was not approved (--deny *.write_file). It did not run; do not retry it, say what you wanted it to do instead.",
      "api.files.write_file was not approved (--deny *.write_file). It did not run; do not retry it, say what you wanted it to do instead.",
    ]);
    expect(g.calls()).toEqual([]);
    const approved = await withoutTerminal(g, ["run", g.program, "--json", "--approve", "files.*"]);
    expect(approved.stderr).toContain("no call needs approval here, so --approve changes nothing");
    expect(JSON.parse(approved.stdout).result).toEqual(["a.txt", "b.txt"]);
  });

  it.each([
    [["--approve", "files write"], /--approve "files write" is not a tool pattern/],
    [["--deny", "files..x"], /--deny "files\.\.x" is not a tool pattern/],
    [["--require-approval", ""], /--require-approval "" is not a tool pattern/],
    [["--approval-timeout", "never"], /--approval-timeout is "never"; expected a number of seconds/],
  ])("exits 2 on a bad approval flag: %j", async (flags, message) => {
    const run = await withoutTerminal(undefined, ["run", "-", ...flags], "return 1");
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});
