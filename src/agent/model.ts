import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { APICallError, type LanguageModel } from "ai";
import { ConfigError } from "../errors.ts";

/**
 * Model names: `anthropic:NAME` is Anthropic's Messages API (`ANTHROPIC_API_KEY`, optionally
 * `ANTHROPIC_BASE_URL`); `openai:NAME`, or a bare `NAME`, is any OpenAI-compatible
 * chat-completions endpoint at `OPENAI_BASE_URL` (default OpenAI's own) with `OPENAI_API_KEY`,
 * which a local server (Ollama, vLLM, llama.cpp) may not need.
 */
export interface ResolvedModel {
  model: LanguageModel;
  provider: "openai-compatible" | "anthropic";
  modelId: string;
  /** The base URL requests go to. */
  endpoint: string;
}

const OPENAI_DEFAULT = "https://api.openai.com/v1";
const ANTHROPIC_DEFAULT = "https://api.anthropic.com/v1";
const EXAMPLES = "e.g. openai:gpt-4o-mini, anthropic:claude-sonnet-4-5, or a local model name with OPENAI_BASE_URL";

type Env = Record<string, string | undefined>;

/** The model name to use: the flag, else the config's `model`, else `CODE_MODE_MODEL`. */
export function chooseModelName(
  flag: string | undefined,
  configModel: string | undefined,
  env: Env = process.env,
): string {
  const name = flag ?? configModel ?? env.CODE_MODE_MODEL;
  if (!name?.trim()) {
    throw new ConfigError(
      `No model chosen: pass --model NAME, set "model" in the config file, or set CODE_MODE_MODEL (${EXAMPLES}).`,
    );
  }
  return name.trim();
}

/** Makes the AI SDK model for a name; a missing key is a ConfigError naming the variable to set. */
export function resolveModel(name: string, env: Env = process.env): ResolvedModel {
  const colon = name.indexOf(":");
  const prefix = colon > 0 ? name.slice(0, colon) : "";
  const modelId = prefix === "anthropic" || prefix === "openai" ? name.slice(colon + 1) : name;
  if (!modelId) throw new ConfigError(`The model name "${name}" has no model after the prefix (${EXAMPLES}).`);

  if (prefix === "anthropic") {
    const apiKey = env.ANTHROPIC_API_KEY;
    if (!apiKey)
      throw new ConfigError(`The model "${name}" needs ANTHROPIC_API_KEY: set it to your Anthropic API key.`);
    const endpoint = trimSlash(env.ANTHROPIC_BASE_URL || ANTHROPIC_DEFAULT);
    const anthropic = createAnthropic({ apiKey, baseURL: endpoint, fetch: failFastFetch });
    return { model: anthropic(modelId), provider: "anthropic", modelId, endpoint };
  }

  const endpoint = trimSlash(env.OPENAI_BASE_URL || OPENAI_DEFAULT);
  checkUrl(endpoint);
  const apiKey = env.OPENAI_API_KEY;
  if (!apiKey && endpoint === OPENAI_DEFAULT) {
    throw new ConfigError(
      `The model "${name}" goes to ${OPENAI_DEFAULT}, which needs OPENAI_API_KEY: set it, or set OPENAI_BASE_URL to another OpenAI-compatible endpoint (e.g. http://127.0.0.1:11434/v1 for Ollama), or use anthropic:NAME with ANTHROPIC_API_KEY.`,
    );
  }
  const provider = createOpenAICompatible({
    name: "openai-compatible",
    baseURL: endpoint,
    ...(apiKey && { apiKey }),
    includeUsage: true,
    fetch: failFastFetch,
  });
  return { model: provider.chatModel(modelId), provider: "openai-compatible", modelId, endpoint };
}

/**
 * A model call's failure in words that say what to set: the URL that could not be reached, or
 * the key the endpoint refused. Undefined when the error is not about reaching the model.
 */
export function describeModelError(error: unknown, resolved: ResolvedModel): string | undefined {
  const call = findApiCallError(error);
  const urlVar = resolved.provider === "anthropic" ? "ANTHROPIC_BASE_URL" : "OPENAI_BASE_URL";
  const keyVar = resolved.provider === "anthropic" ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY";
  if (!call) return undefined;
  if (call.statusCode === undefined) {
    const reason = causeText(call.cause) ?? call.message;
    return `Cannot reach the model endpoint ${resolved.endpoint} (${reason}). Check that the server runs, or set ${urlVar} to the right URL.`;
  }
  if (call.statusCode === 401 || call.statusCode === 403) {
    return `The model endpoint ${resolved.endpoint} refused the request (HTTP ${call.statusCode}): set ${keyVar} to a valid key.`;
  }
  if (call.statusCode === 404) {
    return `The model endpoint ${call.url} answered 404: check ${urlVar} (it should end in the API's base path, e.g. /v1) and the model name "${resolved.modelId}".`;
  }
  return `The model endpoint ${call.url} answered HTTP ${call.statusCode}: ${truncate(call.responseBody ?? call.message, 300)}`;
}

// Nothing listening, or no such host: retrying with backoff only delays the error by seconds,
// so these fail at once. Resets and timeouts stay retryable, as the AI SDK has them.
const NOT_THERE = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]);

const failFastFetch: typeof fetch = async (input, init) => {
  try {
    return await fetch(input, init);
  } catch (error) {
    const code = ((error as { cause?: { code?: unknown } }).cause?.code ?? "") as string;
    if (!NOT_THERE.has(code)) throw error;
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    // A plain cause without `code`, so that the AI SDK does not mark it retryable again.
    const reason = `${code}: ${((error as Error).cause as Error).message}`;
    throw new APICallError({
      message: `Cannot connect to API: ${reason}`,
      url,
      requestBodyValues: undefined,
      cause: new Error(reason),
      isRetryable: false,
    });
  }
};

function findApiCallError(error: unknown): APICallError | undefined {
  // The AI SDK's RetryError wraps the last APICallError in `lastError`.
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (APICallError.isInstance(current)) return current;
    const next = current as { lastError?: unknown; cause?: unknown };
    current = next.lastError ?? next.cause;
  }
  return undefined;
}

function causeText(cause: unknown): string | undefined {
  if (!(cause instanceof Error)) return undefined;
  const code = (cause as { code?: string }).code ?? (cause.cause as { code?: string } | undefined)?.code;
  return code ? `${code}: ${cause.message}` : cause.message;
}

function checkUrl(url: string): void {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error("not http");
  } catch {
    throw new ConfigError(`OPENAI_BASE_URL is "${url}"; expected an http(s) URL such as http://127.0.0.1:11434/v1.`);
  }
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
