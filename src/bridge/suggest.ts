/**
 * The closest known name to a mistyped one, for "did you mean" hints. Hand-written: it is
 * a dozen lines, and a dependency for one edit distance would not pay for itself.
 */
export function closestName(wanted: string, known: readonly string[]): string | undefined {
  const lowered = wanted.toLowerCase();
  // A tool named without its namespace: `create_issue` for `github.create_issue`.
  const inNamespace = known.find((name) => name.toLowerCase().endsWith(`.${lowered}`));
  if (inNamespace !== undefined) return inNamespace;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const name of known) {
    const d = distance(lowered, name.toLowerCase());
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  // Past about half the length, a "suggestion" is noise.
  return best !== undefined && bestDistance <= Math.max(2, Math.ceil(wanted.length / 2)) ? best : undefined;
}

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The tool a mistyped dotted path most likely meant: the same tool name in another namespace
 * (`api.list_issues` for `api.github.list_issues`), else the closest spelling.
 */
export function closestToolPath(wanted: string, known: readonly string[]): string | undefined {
  const leaf = (path: string) => path.slice(path.lastIndexOf(".") + 1);
  const sameLeaf = known.filter((path) => leaf(path) === leaf(wanted));
  return sameLeaf.length === 1 ? sameLeaf[0] : closestName(wanted, known);
}
