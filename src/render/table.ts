// Borderless, kubectl-like tables (cli-table3), wrapping long cells to the terminal width.
import Table from 'cli-table3';

/** width 0: no wrapping (not a terminal), like kubectl. */
export function renderTable(head: string[], rows: string[][], opts: { width?: number; wrapColumn?: number } = {}): string {
  const width = opts.width ?? 0;
  const table = new Table({
    head,
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '',
      'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true },
    wordWrap: true,
    wrapOnWordBoundary: true,
    ...(opts.wrapColumn !== undefined && width > 0 ? { colWidths: colWidths(head, rows, width, opts.wrapColumn) } : {}),
  });
  for (const r of rows) table.push(r);
  return table.toString().split('\n').map((l) => l.trimEnd()).join('\n');
}

const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

function colWidths(head: string[], rows: string[][], width: number, wrap: number): (number | null)[] {
  const widths = head.map((h, i) => Math.max(visible(h).length, ...rows.map((r) => Math.max(...visible(r[i] ?? '').split('\n').map((l) => l.length)))));
  const others = widths.reduce((a, w, i) => (i === wrap ? a : a + w + 2), 0);
  const room = Math.max(30, width - others);
  return widths.map((w, i) => (i === wrap ? Math.min(w, room) : w));
}
