import type { ApiIndex } from "../bridge/api-index.ts";
import { closestToolPath } from "../bridge/suggest.ts";
import { generateDeclarations } from "../typegen/declarations.ts";
import type { FoundDiagnostic, Misuse } from "./protocol.ts";

/** What the check decided for one program. */
export interface TypeCheckVerdict {
  /** Set when the program must not run: the message names the problems and the tools' declarations. */
  blocked?: { message: string; line?: number; column?: number };
  /** Everything that did not block, as "line L, column C: words (TSxxxx)". */
  warnings: string[];
}

/** Problems named in a blocked program's message; the model fixes these first. */
const MAX_SHOWN = 3;
/** Warnings kept in a result. */
const MAX_WARNINGS = 10;
/** Tools whose declarations a blocked message carries. */
const MAX_DECLARED = 3;
/** Names listed when an unknown member has no close match. */
const MAX_LISTED = 25;

const SANDBOX =
  "The sandbox has ECMAScript built-ins, `api`, `console` and timers only: no require, import, process, fetch, DOM or Node APIs.";

/**
 * Turns the checker's diagnostics into the run's verdict. In "error" mode misuse blocks; in
 * "warn" mode everything is a warning. Misuse of `api` comes first: it is what the model can fix
 * with the declaration that comes with it.
 */
export function verdictOf(diagnostics: FoundDiagnostic[], mode: "error" | "warn", index: ApiIndex): TypeCheckVerdict {
  const sorted = [...diagnostics].sort((a, b) => rank(a) - rank(b) || (a.line ?? 0) - (b.line ?? 0));
  const blocking = mode === "error" ? sorted.filter((d) => d.misuse) : [];
  const rest = sorted.filter((d) => !blocking.includes(d));
  const warnings = rest.slice(0, MAX_WARNINGS).map((d) => `${where(d)}${words(d, index)} (TS${d.code})`);
  if (rest.length > MAX_WARNINGS) warnings.push(`(${rest.length - MAX_WARNINGS} more type-check warnings not shown)`);
  if (blocking.length === 0) return { warnings };

  const shown = blocking.slice(0, MAX_SHOWN);
  const lines = shown.map((d) => `- ${where(d)}${words(d, index)}`);
  if (blocking.length > MAX_SHOWN) lines.push(`- (${blocking.length - MAX_SHOWN} more)`);
  const count = blocking.length === 1 ? "1 problem" : `${blocking.length} problems`;
  let message = `The program was not run: it does not type-check against the declared tools (${count}; no tool was called). Fix ${blocking.length === 1 ? "it" : "them"} and send the whole program again.\n${lines.join("\n")}`;
  const reference = declarationsFor(shown, index);
  if (reference) message += `\n${reference}`;
  const first = shown.find((d) => d.line !== undefined);
  return {
    blocked: { message, ...(first && { line: first.line!, column: first.column ?? 1 }) },
    warnings,
  };
}

function rank(d: FoundDiagnostic): number {
  switch (d.misuse?.kind) {
    case "unknown-api":
    case "tool-input":
    case "not-a-tool":
      return 0;
    case "unknown-name":
      return 1;
    case "not-callable":
      return 2;
    default:
      return 3;
  }
}

function where(d: FoundDiagnostic): string {
  return d.line === undefined ? "" : `line ${d.line}, column ${d.column ?? 1}: `;
}

/** The compiler's words, except where its types print all of `api` or its advice is for projects. */
function words(d: FoundDiagnostic, index: ApiIndex): string {
  const misuse = d.misuse;
  switch (misuse?.kind) {
    case "unknown-api": {
      const dotted = misuse.path.join(".");
      const guess = closestToolPath(dotted, index.dottedPaths());
      return `api.${dotted} is not a tool.${guess ? ` Did you mean api.${guess}?` : ""}`;
    }
    case "not-a-tool":
      return `api.${misuse.path.join(".")} is a namespace, not a tool: call one of its tools, api.${misuse.path.join(".")}.<tool>(input).`;
    case "tool-input":
      return `api.${misuse.path.join(".")}: ${d.message}`;
    case "unknown-name":
      // 2552 ends with the compiler's "Did you mean"; the others' advice is about project setup.
      return d.code === 2552 ? d.message : `Cannot find name '${misuse.name}'. ${SANDBOX}`;
    default:
      return d.message.replace(PROJECT_ADVICE, "");
  }
}

/** The compiler's advice about @types packages and `lib`, meant for projects, not for programs here. */
const PROJECT_ADVICE = / Do you need to (install type definitions|change your target library)\b.*$/;

/** The declarations of the tools the shown problems are about, so the next program can be right. */
function declarationsFor(shown: FoundDiagnostic[], index: ApiIndex): string | undefined {
  const tools = new Map<string, NonNullable<ReturnType<ApiIndex["get"]>>>();
  const listings: string[] = [];
  const known = index.dottedPaths();
  for (const { misuse } of shown) {
    const dotted = toolPathOf(misuse, known);
    const entry = dotted === undefined ? undefined : index.get(dotted);
    if (entry) tools.set(dotted!, entry);
    else if (misuse?.kind === "unknown-api" || misuse?.kind === "not-a-tool") {
      const level = misuse.kind === "unknown-api" ? misuse.path.slice(0, -1) : misuse.path;
      const listing = listLevel(level, known);
      if (listing && !listings.includes(listing)) listings.push(listing);
    }
  }
  const parts = [...listings];
  const chosen = [...tools.values()].slice(0, MAX_DECLARED);
  if (chosen.length > 0) {
    const names = chosen.map((entry) => `api.${entry.path.join(".")}`).join(", ");
    parts.push(`Declaration of ${names}:\n${generateDeclarations(chosen.map((entry) => entry.tool)).trimEnd()}`);
  }
  return parts.length > 0 ? parts.join("\n") : undefined;
}

function toolPathOf(misuse: Misuse | undefined, known: readonly string[]): string | undefined {
  if (misuse?.kind === "tool-input") return misuse.path.join(".");
  if (misuse?.kind === "unknown-api") return closestToolPath(misuse.path.join("."), known);
  return undefined;
}

function listLevel(level: string[], known: readonly string[]): string | undefined {
  const prefix = level.length === 0 ? "" : `${level.join(".")}.`;
  const names = [
    ...new Set(known.filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length).split(".")[0]!)),
  ];
  if (names.length === 0) return undefined;
  const shown = names.slice(0, MAX_LISTED).join(", ");
  const more = names.length > MAX_LISTED ? `, and ${names.length - MAX_LISTED} more` : "";
  return `api${level.length === 0 ? "" : `.${level.join(".")}`} has: ${shown}${more}.`;
}
