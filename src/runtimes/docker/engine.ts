import { createRequire } from "node:module";
import { homedir, hostname } from "node:os";
import { join } from "node:path";
import type Docker from "dockerode";
import { ExecutorError } from "../../errors.ts";
import { withDeadline } from "../deadline.ts";

/** Labels that mark containers as ours; the owner lets a later process sweep what a dead one left. */
export const LABEL_RUNNER = "code-mode.runner";
export const LABEL_OWNER = "code-mode.owner";
export const LABEL_EXECUTOR = "code-mode.executor";

/** This process, as written in the owner label: `host:pid`. */
export const OWNER = `${hostname()}:${process.pid}`;

// How each client found its engine, for error messages (the environment may change later).
const origins = new WeakMap<Docker, string>();
// The default socket docker-modem chose for a client, once known.
const defaultSockets = new WeakMap<Docker, string>();

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
    socketPath?: string | (() => Promise<string>);
    protocol?: string;
    host?: string;
    port?: string | number;
  };
  // Without DOCKER_HOST, docker-modem's socket path is a function it calls at the first request
  // (it prefers ~/.docker/run/docker.sock when that exists); `pingEngine` notes what it found.
  if (typeof modem.socketPath === "function") {
    const found = defaultSockets.get(docker);
    return found
      ? `unix://${found}`
      : `unix://${join(homedir(), ".docker", "run", "docker.sock")} or unix:///var/run/docker.sock`;
  }
  if (modem.socketPath) return `unix://${modem.socketPath}`;
  return `${modem.protocol ?? "http"}://${modem.host}${modem.port ? `:${modem.port}` : ""}`;
}

/** Where the client looks for the engine and how it found it, e.g. `unix:///var/run/docker.sock (DOCKER_HOST)`. */
export function engineDescription(docker: Docker): string {
  return `${engineLocation(docker)} (${origins.get(docker) ?? "a client of your own"})`;
}

/** How long one engine request may go unanswered before it is given up, ms. */
export const REQUEST_TIMEOUT_MS = 30_000;

/** An engine request given up because the engine left it unanswered. */
export class EngineTimeout extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EngineTimeout";
  }
}

/**
 * One engine request, given up (its connection closed) when the engine leaves it unanswered for
 * `ms` (rejects with an EngineTimeout saying `no answer to <what> within N s`), or when `signal`
 * aborts (rejects with its reason). dockerode hands the signal to the HTTP request; it fires only
 * while the request is pending, so a stream the request resolves with (a hijacked exec) lives on.
 * (docker-modem's own `timeout` option is no substitute: it is a socket idle timeout for every
 * request of the client, the exec stream that idles while a program waits on a tool call included.)
 */
export function bounded<T>(
  ms: number,
  what: string,
  request: (abortSignal: AbortSignal) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  return withDeadline(
    request,
    ms,
    signal,
    () => new EngineTimeout(`no answer ${what ? `to ${what} ` : ""}within ${ms / 1000} s`),
  );
}

/**
 * Resolves when the engine answers a ping; otherwise rejects, within `timeoutMs`, with an
 * ExecutorError that says where it looked and what to do.
 */
export async function pingEngine(docker: Docker, timeoutMs: number): Promise<void> {
  try {
    const modem = docker.modem as unknown as { socketPath?: unknown; getSocketPath?: () => Promise<string> };
    if (typeof modem.socketPath === "function" && modem.getSocketPath) {
      defaultSockets.set(docker, await modem.getSocketPath.call(modem));
    }
    await bounded(timeoutMs, "", (abortSignal) =>
      (docker.ping as (options: { abortSignal: AbortSignal }) => Promise<unknown>).call(docker, { abortSignal }),
    );
  } catch (error) {
    throw unreachable(docker, error);
  }
}

/** The error for an engine that does not answer. */
export function unreachable(docker: Docker, cause: unknown): ExecutorError {
  const why =
    cause instanceof Error && !(cause instanceof EngineTimeout)
      ? ((cause as NodeJS.ErrnoException).code ?? cause.message)
      : cause instanceof Error
        ? cause.message
        : String(cause);
  return new ExecutorError(
    `The docker runtime cannot reach a Docker engine at ${engineDescription(docker)}: ${why}. Start dockerd, set DOCKER_HOST to a reachable engine, or use runtime "vm".`,
    { cause },
  );
}

/** Removes a container (and its volumes), giving up when the engine leaves the request unanswered. */
export function removeContainer(container: Docker.Container, ms = REQUEST_TIMEOUT_MS): Promise<unknown> {
  return bounded(ms, "removing a container", (abortSignal) =>
    container.remove({ force: true, v: true, abortSignal } as Docker.ContainerRemoveOptions),
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
export async function sweepLeftovers(docker: Docker, ms = REQUEST_TIMEOUT_MS): Promise<number> {
  const host = hostname();
  const list = await bounded(ms, "listing containers", (abortSignal) =>
    docker.listContainers({ all: true, filters: { label: [`${LABEL_RUNNER}=1`] }, abortSignal }),
  );
  const dead = list.filter((info) => {
    const owner = info.Labels[LABEL_OWNER] ?? "";
    const at = owner.lastIndexOf(":");
    const pid = Number(owner.slice(at + 1));
    return owner.slice(0, at) === host && Number.isInteger(pid) && pid > 0 && !processAlive(pid);
  });
  await Promise.allSettled(dead.map((info) => removeContainer(docker.getContainer(info.Id), ms)));
  return dead.length;
}
