import { createRequire } from "node:module";
import { hostname } from "node:os";
import type Docker from "dockerode";
import { ExecutorError } from "../../errors.ts";

/** Labels that mark containers as ours; the owner lets a later process sweep what a dead one left. */
export const LABEL_RUNNER = "code-mode.runner";
export const LABEL_OWNER = "code-mode.owner";
export const LABEL_EXECUTOR = "code-mode.executor";

/** This process, as written in the owner label: `host:pid`. */
export const OWNER = `${hostname()}:${process.pid}`;

// How each client found its engine, for error messages (the environment may change later).
const origins = new WeakMap<Docker, string>();

/** A Docker client as dockerode makes it: `DOCKER_HOST` (unix, tcp, ssh) or the local socket. */
export function createDocker(options?: Docker.DockerOptions): Docker {
  // Loaded on first use: dockerode and its SSH stack take ~120 ms to import, which programs
  // that never touch docker should not pay.
  const DockerClient = createRequire(import.meta.url)("dockerode") as typeof Docker;
  const docker = new DockerClient(options);
  origins.set(
    docker,
    options
      ? "the given options"
      : process.env.DOCKER_HOST
        ? "DOCKER_HOST"
        : "the default socket; DOCKER_HOST is not set",
  );
  return docker;
}

/** Where the client looks for the engine, in words for an error message. */
export function engineLocation(docker: Docker): string {
  const modem = docker.modem as unknown as {
    socketPath?: string;
    protocol?: string;
    host?: string;
    port?: string | number;
  };
  if (modem.socketPath) return `unix://${modem.socketPath}`;
  return `${modem.protocol ?? "http"}://${modem.host}${modem.port ? `:${modem.port}` : ""}`;
}

/**
 * Resolves when the engine answers a ping; otherwise rejects, within `timeoutMs`, with an
 * ExecutorError that says where it looked and what to do.
 */
export async function pingEngine(docker: Docker, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    await Promise.race([docker.ping(), timeout]);
  } catch (error) {
    throw unreachable(docker, error);
  } finally {
    clearTimeout(timer);
  }
}

/** The error for an engine that does not answer. */
export function unreachable(docker: Docker, cause: unknown): ExecutorError {
  const why = cause instanceof Error ? ((cause as NodeJS.ErrnoException).code ?? cause.message) : String(cause);
  const where = engineLocation(docker);
  const via = origins.get(docker) ?? "a client of your own";
  return new ExecutorError(
    `The docker runtime cannot reach a Docker engine at ${where} (${via}): ${why}. Start dockerd, set DOCKER_HOST to a reachable engine, or use runtime "vm".`,
    { cause },
  );
}

/** True for errors of the connection itself (no engine), as opposed to answers from the engine. */
export function isConnectionError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return (
    typeof code === "string" &&
    /^(ECONNREFUSED|ENOENT|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EACCES|ENOTFOUND)$/.test(code)
  );
}

/** The HTTP status of an engine answer, when the error is one. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === "number" ? status : undefined;
}

/** Is a process of this machine, by pid, still alive? */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes containers with our label whose owner process (on this machine) is gone: leftovers of
 * a process that crashed or was killed. Containers of other machines sharing the engine stay.
 */
export async function sweepLeftovers(docker: Docker): Promise<number> {
  const host = hostname();
  const list = await docker.listContainers({ all: true, filters: { label: [`${LABEL_RUNNER}=1`] } });
  const dead = list.filter((info) => {
    const owner = info.Labels[LABEL_OWNER] ?? "";
    const at = owner.lastIndexOf(":");
    const pid = Number(owner.slice(at + 1));
    return owner.slice(0, at) === host && Number.isInteger(pid) && pid > 0 && !processAlive(pid);
  });
  await Promise.allSettled(dead.map((info) => docker.getContainer(info.Id).remove({ force: true })));
  return dead.length;
}
