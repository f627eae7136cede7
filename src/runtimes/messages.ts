// Wording shared by every runtime, so the model reads the same advice whichever one ran.

export function timeoutMessage(timeoutMs: number): string {
  return `The program did not finish within ${timeoutMs / 1000} s and was stopped. Look for loops that never end or promises that never settle; do less per execution.`;
}

export function memoryMessage(memoryMb: number): string {
  return `The program used more than its ${memoryMb} MB memory limit and was stopped. Process data in smaller pieces and keep less of it at once.`;
}
