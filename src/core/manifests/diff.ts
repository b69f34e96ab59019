// A small line diff (LCS) for --diff: what apply would change in the fields we manage.

export function lineDiff(before: string, after: string): string[] {
  const a = before === '' ? [] : before.replace(/\n$/, '').split('\n');
  const b = after === '' ? [] : after.replace(/\n$/, '').split('\n');
  const m = a.length;
  const n = b.length;
  const lcs: number[][] = Array.from({ length: m + 1 }, () => new Array<number>(n + 1).fill(0));
  for (let i = m - 1; i >= 0; i--) for (let j = n - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < m || j < n) {
    if (i < m && j < n && a[i] === b[j]) { out.push(`  ${a[i]}`); i++; j++; }
    else if (j < n && (i === m || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) { out.push(`+ ${b[j]}`); j++; }
    else { out.push(`- ${a[i]}`); i++; }
  }
  return out;
}

/** The parts of a live object that apply manages: our labels and the spec. */
export function managedView(o: { metadata?: { labels?: Record<string, string> }; spec?: unknown } | undefined, labelKeys: string[]): Record<string, unknown> | undefined {
  if (!o) return undefined;
  const labels: Record<string, string> = {};
  for (const k of labelKeys) if (o.metadata?.labels?.[k] !== undefined) labels[k] = o.metadata.labels[k]!;
  return { metadata: { labels }, spec: o.spec ?? {} };
}

/** Objects with their keys sorted at every level (the API server returns them sorted). */
export function sortKeys<T>(v: T): T {
  if (Array.isArray(v)) return v.map(sortKeys) as T;
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])])) as T;
  }
  return v;
}
