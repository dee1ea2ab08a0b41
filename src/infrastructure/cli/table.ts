/** Plain aligned columns for people; `--json` is there for scripts. */
export function formatTable(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | null | undefined>>): string {
  const cells = rows.map((row) => row.map((cell) => (cell === null || cell === undefined ? '-' : String(cell))));
  const widths = headers.map((header, column) => Math.max(header.length, ...cells.map((row) => (row[column] ?? '').length)));
  const line = (values: readonly string[]) => values.map((value, column) => value.padEnd(widths[column])).join('  ').trimEnd();
  return [line(headers), ...cells.map(line)].join('\n');
}
