import ts from "typescript";
import { ApiShape, assignedGlobals, classify } from "./classify.ts";
import type { CheckRequest, FoundDiagnostic } from "./protocol.ts";

const DECLARATIONS = "/sandbox.d.ts";
const PROGRAM = "/program.ts";

// What the sandbox offers: ECMAScript (esnext: Node 24's V8 has every part of it that TypeScript
// declares, so no built-in the sandbox has is an unknown name), no DOM, no Node. Strict, except
// where honest programs would only collect noise: a caught value is `any` (`catch (e) { e.message }`).
const OPTIONS: ts.CompilerOptions = {
  strict: true,
  useUnknownInCatchVariables: false,
  target: ts.ScriptTarget.ESNext,
  lib: ["lib.esnext.d.ts"],
  types: [],
  noEmit: true,
  noResolve: true,
  skipLibCheck: true,
  moduleDetection: ts.ModuleDetectionKind.Legacy,
};

// "Implicitly has an 'any' type": every callback over an untyped tool result has one, so the
// words would only be noise. The option stays on, since without it `const list = []` is `never[]`.
const IMPLICIT_ANY = new Set([7005, 7006, 7008, 7010, 7011, 7019, 7031, 7034]);

// Parsed lib files never change: every language service in this thread shares them. The service
// asks for every file's text and existence on each program, so the disk is read once.
const documents = ts.createDocumentRegistry();
const diskSnapshots = new Map<string, ts.IScriptSnapshot | undefined>();
const diskExists = new Map<string, boolean>();
const diskTexts = new Map<string, string | undefined>();

function diskText(name: string): string | undefined {
  if (!diskTexts.has(name)) diskTexts.set(name, ts.sys.readFile(name));
  return diskTexts.get(name);
}

function diskSnapshot(name: string): ts.IScriptSnapshot | undefined {
  if (!diskSnapshots.has(name)) {
    const text = diskText(name);
    diskSnapshots.set(name, text === undefined ? undefined : ts.ScriptSnapshot.fromString(text));
  }
  return diskSnapshots.get(name);
}

function diskFileExists(name: string): boolean {
  if (!diskExists.has(name)) diskExists.set(name, ts.sys.fileExists(name));
  return diskExists.get(name)!;
}

/**
 * A warm compiler for programs: a language service whose declarations and lib files stay parsed
 * and bound between programs, so a check costs the program's own file and what it touches.
 */
export class ProgramService {
  readonly #files = new Map<string, { text: string; version: number }>();
  readonly #service: ts.LanguageService;

  constructor(declarations = "") {
    this.#files.set(DECLARATIONS, { text: declarations, version: 1 });
    this.#files.set(PROGRAM, { text: "", version: 1 });
    const files = this.#files;
    const host: ts.LanguageServiceHost = {
      getCompilationSettings: () => OPTIONS,
      getScriptFileNames: () => [DECLARATIONS, PROGRAM],
      getScriptVersion: (name) => String(files.get(name)?.version ?? 0),
      getScriptSnapshot: (name) => {
        const own = files.get(name);
        return own ? ts.ScriptSnapshot.fromString(own.text) : diskSnapshot(name);
      },
      getCurrentDirectory: () => "/",
      getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
      fileExists: (name) => files.has(name) || diskFileExists(name),
      readFile: (name) => files.get(name)?.text ?? diskText(name),
    };
    this.#service = ts.createLanguageService(host, documents);
  }

  /** Replaces the declarations (tools changed); the next check re-reads them once. */
  setDeclarations(text: string): void {
    const current = this.#files.get(DECLARATIONS)!;
    if (current.text !== text) this.#files.set(DECLARATIONS, { text, version: current.version + 1 });
  }

  /** Every diagnostic of one program, at the model's own positions, with the misuse it shows. */
  check(request: Omit<CheckRequest, "t" | "id">): FoundDiagnostic[] {
    const previous = this.#files.get(PROGRAM)!;
    this.#files.set(PROGRAM, { text: request.source, version: previous.version + 1 });
    const diagnostics = [
      ...this.#service.getSyntacticDiagnostics(PROGRAM),
      ...this.#service.getSemanticDiagnostics(PROGRAM).filter((d) => !IMPLICIT_ANY.has(d.code)),
    ];
    const program = this.#service.getProgram();
    const file = program?.getSourceFile(PROGRAM);
    if (!program || !file) return [];
    const checker = program.getTypeChecker();
    let api: ApiShape | undefined;
    let assigned: Set<string> | undefined;
    const shape = () => (api ??= new ApiShape(checker, program.getSourceFile(DECLARATIONS)));
    const assignedNames = () => (assigned ??= assignedGlobals(file));
    return diagnostics.map((diagnostic) => {
      const found: FoundDiagnostic = {
        code: diagnostic.code,
        message: ts.flattenDiagnosticMessageText(diagnostic.messageText, " ").replace(/\s+/g, " ").trim(),
      };
      if (diagnostic.start !== undefined) {
        const at = file.getLineAndCharacterOfPosition(diagnostic.start);
        const line = at.line + 1 - request.lineOffset;
        if (line >= 1 && line <= request.lines) Object.assign(found, { line, column: at.character + 1 });
      }
      const misuse = classify(diagnostic, file, checker, shape, assignedNames);
      if (misuse) found.misuse = misuse;
      return found;
    });
  }

  dispose(): void {
    this.#service.dispose();
  }
}
