// Manifests from files, directories (recursively: *.yaml, *.yml, *.json) or stdin (-):
// multi-document YAML, `kind: List`, the output of `kubectl get -o yaml`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export class ManifestError extends Error {}

function walk(path: string, out: string[]): void {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new ManifestError(`no such file or directory: ${path}`);
  }
  if (st.isDirectory()) {
    for (const e of readdirSync(path).sort()) {
      const p = join(path, e);
      if (statSync(p).isDirectory()) walk(p, out);
      else if (/\.(ya?ml|json)$/i.test(e)) out.push(p);
    }
  } else out.push(path);
}

export async function readManifests(paths: string[], stdin: () => Promise<string>): Promise<{ objects: unknown[]; files: string[] }> {
  const { parseAllDocuments } = await import('yaml');
  const files: string[] = [];
  for (const p of paths) if (p === '-') files.push('-'); else walk(p, files);
  const objects: unknown[] = [];
  for (const f of files) {
    const text = f === '-' ? await stdin() : readFileSync(f, 'utf8');
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length) throw new ManifestError(`${f === '-' ? 'stdin' : f}: ${doc.errors[0]!.message.split('\n')[0]}`);
      const v = doc.toJS();
      if (v !== null && v !== undefined) objects.push(v);
    }
  }
  return { objects, files };
}
