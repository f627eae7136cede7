// Approvals asked of the person behind an MCP client, through elicitation (`elicitation/create`
// on the `tools/call` that runs the program); clients that cannot be asked are told why and how
// to allow the call instead.
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import { ElicitResultSchema, type ServerNotification, type ServerRequest } from "@modelcontextprotocol/sdk/types.js";
import type { ApprovalHook } from "../bridge/approval.ts";
import type { ExecuteContext } from "../execute-code/code-mode-tool.ts";
import { clipLine } from "../execute-code/event-line.ts";

/** What the client sees of a call's input: enough to decide, not a whole file's content. */
const INPUT_PREVIEW_CHARS = 500;

/** Past the approval bound (which aborts the request and says so), so the SDK's own timeout never answers first. */
const SDK_TIMEOUT_MARGIN_MS = 5000;

export const NO_ELICITATION =
  "this MCP client cannot answer approval requests (it does not support elicitation). To let the call run, remove it from codeMode.approval.require in the server's config, or use an MCP client that supports elicitation";

/** How approvals reach the person behind this request's client: asked when it can elicit, else explained. */
export function approvalContext(
  server: Server,
  extra: RequestHandlerExtra<ServerRequest, ServerNotification>,
  timeoutMs: number,
): Pick<ExecuteContext, "approve" | "approvalUnavailable"> {
  if (!server.getClientCapabilities()?.elicitation?.form) return { approvalUnavailable: NO_ELICITATION };
  return { approve: elicitApproval(extra, timeoutMs) };
}

function elicitApproval(
  extra: RequestHandlerExtra<ServerRequest, ServerNotification>,
  timeoutMs: number,
): ApprovalHook {
  return async (request, { signal }) => {
    const label = `api.${request.path}`;
    // The SDK cancels a request whenever its signal aborts, even once answered; the hook's signal
    // aborts at every run's end, so the request gets one that follows it only until the answer.
    const asking = new AbortController();
    const stopAsking = () => asking.abort(signal.reason);
    if (signal.aborted) stopAsking();
    signal.addEventListener("abort", stopAsking, { once: true });
    const answer = await extra
      .sendRequest(
        {
          method: "elicitation/create",
          params: {
            mode: "form",
            message: `A program wants to call ${label} with ${inputPreview(request.input)}. Allow this call?`,
            requestedSchema: {
              type: "object",
              properties: {
                approve: {
                  type: "boolean",
                  title: `Allow ${label}`,
                  description: "Run this call once.",
                  default: false,
                },
              },
              required: ["approve"],
            },
          },
        },
        ElicitResultSchema,
        { signal: asking.signal, timeout: timeoutMs + SDK_TIMEOUT_MARGIN_MS },
      )
      .finally(() => signal.removeEventListener("abort", stopAsking));
    if (answer.action === "accept" && answer.content?.approve === true) return true;
    return { approved: false, reason: "declined by the client" };
  };
}

function inputPreview(input: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(input) ?? "no input";
  } catch {
    text = String(input);
  }
  return clipLine(text, INPUT_PREVIEW_CHARS);
}
