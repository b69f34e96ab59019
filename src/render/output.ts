// Machine output: JSON (2-space, stable field order as built) and YAML (lazy import).
export function toJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

export async function toYaml(value: unknown): Promise<string> {
  const { stringify } = await import('yaml');
  return stringify(value, { lineWidth: 0 });
}
