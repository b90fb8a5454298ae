import { displayWidth, padEnd, padStart } from './text-width.ts';

export type Align = 'left' | 'right';

/**
 * A GitHub-flavoured markdown table. Columns are padded to equal width so report.md also reads
 * well as plain text (in a terminal, in a diff); numbers go right-aligned.
 */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[] = []): string {
  const cells = [header, ...rows].map((r) => header.map((_, i) => escapeCell(r[i] ?? '')));
  const widths = header.map((_, i) => Math.max(3, ...cells.map((r) => displayWidth(r[i]!))));
  const line = (r: readonly string[]): string =>
    `| ${r.map((c, i) => (align[i] === 'right' ? padStart(c, widths[i]!) : padEnd(c, widths[i]!))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (align[i] === 'right' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(cells[0]!), rule, ...cells.slice(1).map(line)].join('\n');
}

function escapeCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
