// Kubernetes label selector strings (`a=b,c!=d,e in (x,y),f notin (z),g,!h`) against labels.
export function labelsMatchSelector(selector: string, labels: Record<string, string>): boolean {
  const parts = selector.match(/[^,(]+(\([^)]*\))?/g) ?? [];
  return parts.map((p) => p.trim()).filter(Boolean).every((req) => {
    let m = /^(\S+?)\s*(==|=|!=)\s*(\S*)$/.exec(req);
    if (m) {
      const v = labels[m[1]!];
      return m[2] === '!=' ? v !== m[3] : v === m[3];
    }
    m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(req);
    if (m) {
      const set = m[3]!.split(',').map((x) => x.trim());
      const v = labels[m[1]!];
      return m[2] === 'in' ? v !== undefined && set.includes(v) : v === undefined || !set.includes(v);
    }
    if (req.startsWith('!')) return labels[req.slice(1)] === undefined;
    return labels[req] !== undefined;
  });
}
