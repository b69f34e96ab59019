// Small pure formatting helpers shared by core messages.

/** "3 min", "2 h 5 min", "45 s", "4 d 2 h". */
export function formatDuration(seconds: number): string {
  const s = Math.abs(Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** "in 3 min" / "3 min ago" for an instant relative to now (both unix seconds). */
export function relative(at: number, now: number): string {
  const d = at - now;
  return d >= 0 ? `in ${formatDuration(d)}` : `${formatDuration(d)} ago`;
}

export function isoDate(unixSeconds: number): string {
  const ms = unixSeconds * 1000;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return String(unixSeconds);
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
