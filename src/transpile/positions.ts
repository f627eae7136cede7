import { createRequire } from "node:module";
import type { TraceMap } from "@jridgewell/trace-mapping";

// Needed only for programs esbuild reprints; loaded then, not with `import "code-mode"`.
const require = createRequire(import.meta.url);
const traceMapping = () => require("@jridgewell/trace-mapping") as typeof import("@jridgewell/trace-mapping");

type Position = { line: number; column: number };

/** Maps line/column positions (1-based) in transpiled code back to the model's own code. */
export abstract class SourcePositions {
  abstract original(line: number, column: number): Position | undefined;

  /** The first frame of a sandbox stack that points into the program, mapped to the model's code. */
  fromStack(stack: string | undefined, file = "program.js"): Position | undefined {
    if (!stack) return undefined;
    const pattern = new RegExp(`${file.replace(/\./g, "\\.")}:(\\d+):(\\d+)`, "g");
    for (const match of stack.matchAll(pattern)) {
      const mapped = this.original(Number(match[1]), Number(match[2]));
      if (mapped) return mapped;
    }
    return undefined;
  }
}

/** Type stripping keeps every position; only the wrapper's leading lines shift them. */
export class IdentityPositions extends SourcePositions {
  readonly #lineOffset: number;

  constructor(lineOffset: number) {
    super();
    this.#lineOffset = lineOffset;
  }

  original(line: number, column: number): Position | undefined {
    const modelLine = line - this.#lineOffset;
    return modelLine < 1 ? undefined : { line: modelLine, column };
  }
}

/** esbuild reprints the code, so positions go through its source map. */
export class MappedPositions extends SourcePositions {
  readonly #map: TraceMap;
  readonly #lineOffset: number;

  constructor(sourceMapJson: string, lineOffset: number) {
    super();
    this.#map = new (traceMapping().TraceMap)(sourceMapJson);
    this.#lineOffset = lineOffset;
  }

  original(line: number, column: number): Position | undefined {
    const pos = traceMapping().originalPositionFor(this.#map, { line, column: Math.max(0, column - 1) });
    if (pos.line === null || pos.column === null) return undefined;
    const modelLine = pos.line - this.#lineOffset;
    return modelLine < 1 ? undefined : { line: modelLine, column: pos.column + 1 };
  }
}
