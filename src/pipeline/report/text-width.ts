// Column arithmetic for the text tables (report.md and the terminal summary). Every character
// the tables use (digits, "×", "—", "█", box drawing) is one column wide, so counting code
// points is enough; UTF-16 length is not ("𝑥" is two units).

export function displayWidth(s: string): number {
  return [...s].length;
}

export function padEnd(s: string, w: number): string {
  return s + ' '.repeat(Math.max(0, w - displayWidth(s)));
}

export function padStart(s: string, w: number): string {
  return ' '.repeat(Math.max(0, w - displayWidth(s))) + s;
}
