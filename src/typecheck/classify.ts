import ts from "typescript";
import type { Misuse } from "./protocol.ts";

// Which compiler diagnostics mean certain failure or misuse of `api`. Everything else only warns.
// The rule for each family is narrower than its codes: a diagnostic blocks only where the program
// cannot be right at run time, since a false block costs the model a round trip for nothing.

/** "Cannot find name" in all its wordings (2580-2593 add advice about @types or `lib`). */
const UNKNOWN_NAME = new Set([2304, 2552, 2580, 2581, 2582, 2583, 2584, 2591, 2592, 2593, 2662, 2663]);
/** A property that does not exist (2551 adds a "did you mean"); 7053 for `api["x"]`. */
const UNKNOWN_PROPERTY = new Set([2339, 2551, 7053]);
/** Not callable / not constructable. */
const NOT_CALLABLE = new Set([2348, 2349, 2351]);
/** An excess property in an object literal (2561 adds a "did you mean"). */
const EXCESS_PROPERTY = new Set([2353, 2561]);
/** Too few arguments (2554 also words too many, told apart by the call). */
const ARITY = new Set([2554, 2555]);
/** A value that does not fit the type expected there. */
const MISMATCH = new Set([2322, 2326, 2345, 2559, 2739, 2740, 2741, 2769, 2820]);

/** The shape of `api` as the checker of one program version sees it. */
export class ApiShape {
  /** `api` itself and every namespace object under it, by their types. */
  readonly levels = new Map<ts.Type, string[]>();
  /** Every tool method's type, with its path. */
  readonly tools = new Map<ts.Type, string[]>();

  constructor(checker: ts.TypeChecker, declarations: ts.SourceFile | undefined) {
    const api = declarations && findApiDeclaration(declarations);
    if (api) this.#walk(checker, checker.getTypeAtLocation(api), []);
  }

  #walk(checker: ts.TypeChecker, type: ts.Type, path: string[]): void {
    this.levels.set(type, path);
    for (const member of checker.getPropertiesOfType(type)) {
      const memberType = checker.getTypeOfSymbol(member);
      if (memberType.getCallSignatures().length > 0) this.tools.set(memberType, [...path, member.name]);
      else if (path.length < 8) this.#walk(checker, memberType, [...path, member.name]);
    }
  }
}

function findApiDeclaration(file: ts.SourceFile): ts.Identifier | undefined {
  for (const statement of file.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (ts.isIdentifier(declaration.name) && declaration.name.text === "api") return declaration.name;
    }
  }
  return undefined;
}

/**
 * Classifies one diagnostic of `file`: the misuse it shows, or undefined when it only warns.
 * `api` and `assignedNames` are asked for only when needed: a clean program pays for neither.
 */
export function classify(
  diagnostic: ts.Diagnostic,
  file: ts.SourceFile,
  checker: ts.TypeChecker,
  api: () => ApiShape,
  assignedNames: () => ReadonlySet<string>,
): Misuse | undefined {
  if (diagnostic.start === undefined || diagnostic.file !== file) return undefined;
  const node = nodeAt(file, diagnostic.start, diagnostic.length ?? 0);
  const code = diagnostic.code;
  if (UNKNOWN_NAME.has(code)) return unknownName(node, assignedNames());
  if (UNKNOWN_PROPERTY.has(code)) return unknownApiMember(node, checker, api());
  if (NOT_CALLABLE.has(code)) return notCallable(node, checker, api());
  if (EXCESS_PROPERTY.has(code) || ARITY.has(code) || MISMATCH.has(code)) {
    const call = toolCallAround(node, ARITY.has(code), checker, api());
    if (!call) return undefined;
    const misuse: Misuse = { kind: "tool-input", path: call.path };
    if (EXCESS_PROPERTY.has(code)) return misuse;
    // Tools take one argument and ignore more: only a missing argument is certain to fail.
    if (ARITY.has(code)) return call.node.arguments.length === 0 ? misuse : undefined;
    return certainMismatch(node, checker) ? misuse : undefined;
  }
  return undefined;
}

/** Names assigned without a declaration (`x = 1`, `globalThis.x = 1`): sloppy scripts make them globals. */
export function assignedGlobals(file: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const target = node.left;
      if (ts.isIdentifier(target)) names.add(target.text);
      else if (ts.isPropertyAccessExpression(target) && ts.isIdentifier(target.expression)) {
        if (target.expression.text === "globalThis") names.add(target.name.text);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return names;
}

/** The largest node that starts at `start` and fits in the diagnostic's span. */
function nodeAt(file: ts.SourceFile, start: number, length: number): ts.Node {
  let found: ts.Node = file;
  const visit = (node: ts.Node): void => {
    if (node.getStart(file) <= start && start < node.getEnd()) {
      found = node;
      ts.forEachChild(node, visit);
    }
  };
  ts.forEachChild(file, visit);
  while (found.parent && found.parent.getStart(file) === start && found.parent.getEnd() <= start + length) {
    found = found.parent;
  }
  return found;
}

function unknownName(node: ts.Node, assignedNames: ReadonlySet<string>): Misuse | undefined {
  if (!ts.isIdentifier(node)) return undefined;
  // `typeof require` is how honest code asks; it never throws.
  if (node.parent && ts.isTypeOfExpression(node.parent)) return undefined;
  if (assignedNames.has(node.text) || inTypePosition(node)) return undefined;
  return { kind: "unknown-name", name: node.text };
}

/** Types are erased before the program runs: a name only they use cannot fail. */
function inTypePosition(node: ts.Node): boolean {
  for (let at: ts.Node | undefined = node; at && !ts.isSourceFile(at); at = at.parent) {
    if (ts.isExpressionWithTypeArguments(at) && at.parent && ts.isHeritageClause(at.parent)) {
      // `class A extends B` evaluates B; `implements` and interfaces' `extends` do not.
      return !(at.parent.token === ts.SyntaxKind.ExtendsKeyword && ts.isClassLike(at.parent.parent));
    }
    if (ts.isTypeNode(at)) return true;
    if (ts.isStatement(at)) return ts.isInterfaceDeclaration(at) || ts.isTypeAliasDeclaration(at);
  }
  return false;
}

function unknownApiMember(node: ts.Node, checker: ts.TypeChecker, api: ApiShape): Misuse | undefined {
  let owner: ts.Expression | undefined;
  let name: string | undefined;
  const parent = node.parent;
  if (ts.isIdentifier(node) && parent && ts.isPropertyAccessExpression(parent) && parent.name === node) {
    owner = parent.expression;
    name = node.text;
  } else {
    const access = ts.isElementAccessExpression(node)
      ? node
      : parent && ts.isElementAccessExpression(parent)
        ? parent
        : undefined;
    if (access && ts.isStringLiteralLike(access.argumentExpression)) {
      owner = access.expression;
      name = access.argumentExpression.text;
    }
  }
  if (!owner || name === undefined) return undefined;
  const level = api.levels.get(checker.getTypeAtLocation(owner));
  return level ? { kind: "unknown-api", path: [...level, name] } : undefined;
}

function notCallable(node: ts.Node, checker: ts.TypeChecker, api: ApiShape): Misuse | undefined {
  const type = checker.getTypeAtLocation(node);
  const level = api.levels.get(type);
  if (level) return { kind: "not-a-tool", path: level };
  // Some member of a union may be callable: the call may well work.
  if (type.isUnion() && type.types.some((member) => member.getCallSignatures().length > 0)) return undefined;
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return undefined;
  return { kind: "not-callable" };
}

/** The call of a tool whose arguments hold `node` (or, for arity, that is around it). */
function toolCallAround(
  node: ts.Node,
  anywhereInCall: boolean,
  checker: ts.TypeChecker,
  api: ApiShape,
): { node: ts.CallExpression; path: string[] } | undefined {
  for (let at: ts.Node | undefined = node; at && !ts.isSourceFile(at); at = at.parent) {
    if (!ts.isCallExpression(at)) continue;
    const inArguments = node.pos >= at.arguments.pos && node.end <= at.arguments.end && node !== at.expression;
    if (!inArguments && !anywhereInCall) continue;
    const path = api.tools.get(checker.getTypeAtLocation(at.expression));
    // The innermost call decides: a wrong argument of `list.map(...)` inside a tool's input
    // belongs to `map`, not to the tool.
    return path ? { node: at, path } : undefined;
  }
  return undefined;
}

/**
 * True when the value at `node` cannot fit the type expected there, whatever it is at run time.
 * The compiler's verdict is about static types, which are wider than values: a `let` string
 * may well hold the one enum value a field accepts, and a `string | undefined` may be a string.
 * Those only warn; a number where a string is needed, or a missing required field, block.
 */
function certainMismatch(node: ts.Node, checker: ts.TypeChecker): boolean {
  let value: ts.Expression | undefined;
  let sourceType: ts.Type | undefined;
  const parent = node.parent;
  if (parent && ts.isPropertyAssignment(parent) && parent.name === node) value = parent.initializer;
  else if (parent && ts.isShorthandPropertyAssignment(parent) && parent.name === node) {
    const symbol = checker.getShorthandAssignmentValueSymbol(parent);
    if (symbol) sourceType = checker.getTypeOfSymbolAtLocation(symbol, parent.name);
    value = parent.name;
  } else if (ts.isExpression(node)) value = node;
  if (!value) return false;
  const target = checker.getContextualType(value);
  if (!target) return false;
  return !couldMatch(checker, sourceType ?? checker.getTypeAtLocation(value), target, 0);
}

const LITERAL =
  ts.TypeFlags.StringLiteral | ts.TypeFlags.NumberLiteral | ts.TypeFlags.BooleanLiteral | ts.TypeFlags.BigIntLiteral;
const PRIMITIVE =
  ts.TypeFlags.StringLike |
  ts.TypeFlags.NumberLike |
  ts.TypeFlags.BooleanLike |
  ts.TypeFlags.BigIntLike |
  ts.TypeFlags.ESSymbolLike |
  ts.TypeFlags.Null |
  ts.TypeFlags.Undefined |
  ts.TypeFlags.Void;
const OPEN =
  ts.TypeFlags.Any |
  ts.TypeFlags.Unknown |
  ts.TypeFlags.Never |
  ts.TypeFlags.TypeParameter |
  ts.TypeFlags.Index |
  ts.TypeFlags.IndexedAccess |
  ts.TypeFlags.Conditional |
  ts.TypeFlags.Substitution;

/** Whether some run-time value of static type `source` may be a `target`. */
function couldMatch(checker: ts.TypeChecker, source: ts.Type, target: ts.Type, depth: number): boolean {
  if (depth > 8 || source.flags & OPEN || target.flags & OPEN) return true;
  if (checker.isTypeAssignableTo(source, target)) return true;
  if (source.isUnion()) return source.types.some((member) => couldMatch(checker, member, target, depth + 1));
  if (target.isUnion()) return target.types.some((member) => couldMatch(checker, source, member, depth + 1));
  // Arguments cross as JSON: a `Date` (anything with toJSON) arrives as what toJSON returns.
  if (source.getProperty("toJSON")) return true;
  const sourcePrimitive = (source.flags & PRIMITIVE) !== 0;
  const targetPrimitive = (target.flags & PRIMITIVE) !== 0;
  if (sourcePrimitive || targetPrimitive) {
    if (!(sourcePrimitive && targetPrimitive)) return false;
    // A literal is a known value; a widened `string` may hold any of the target's literals.
    if (source.flags & LITERAL) return false;
    return checker.isTypeAssignableTo(source, checker.getBaseTypeOfLiteralType(target));
  }
  if (source.getCallSignatures().length > 0 || target.getCallSignatures().length > 0) return true;
  const sourceList = checker.isArrayType(source) || checker.isTupleType(source);
  const targetList = checker.isArrayType(target) || checker.isTupleType(target);
  if (sourceList !== targetList) return false;
  if (sourceList) {
    if (checker.isTupleType(source) || checker.isTupleType(target)) return true;
    const [sourceItem] = checker.getTypeArguments(source as ts.TypeReference);
    const [targetItem] = checker.getTypeArguments(target as ts.TypeReference);
    return !sourceItem || !targetItem || couldMatch(checker, sourceItem, targetItem, depth + 1);
  }
  // An index signature says little about which keys a value really has.
  if (checker.getIndexInfosOfType(source).length > 0) return true;
  for (const wanted of target.getProperties()) {
    const have = source.getProperty(wanted.name);
    if (!have) {
      if (wanted.flags & ts.SymbolFlags.Optional) continue;
      return false;
    }
    if (!couldMatch(checker, checker.getTypeOfSymbol(have), checker.getTypeOfSymbol(wanted), depth + 1)) return false;
  }
  return true;
}
