// Shell completion the kubectl way: kubectl (1.26+) runs `kubectl_complete-omnia_auth <args...>
// <word being completed>` and reads candidates, one per line, then `:<directive>` (Cobra's
// protocol; 4 = no file completion). Subcommands and flags come from oclif.manifest.json; live
// values (namespaces, agents, contexts) from the cluster, with a short time limit.
import { readFileSync } from 'node:fs';

interface FlagSpec {
  name: string;
  char?: string;
  type: 'boolean' | 'option';
  options?: string[];
  allowNo?: boolean;
}

const NO_FILES = 4;
const DEFAULT = 0;

export function flagsOf(manifest: { commands: Record<string, { flags: Record<string, FlagSpec> }> }, cmd: string): FlagSpec[] {
  return Object.values(manifest.commands[cmd]?.flags ?? {});
}

export interface Completion {
  items: string[];
  directive: number;
  /** A live value to look up (namespaces, agents, contexts). */
  live?: 'namespace' | 'agent' | 'context';
}

/** Pure part: what to complete for these words (the last one is the one being completed). */
export function complete(manifest: { commands: Record<string, { flags: Record<string, FlagSpec> }> }, words: string[]): Completion {
  const commands = Object.keys(manifest.commands).sort();
  const current = words.at(-1) ?? '';
  const before = words.slice(0, -1);
  const cmd = before.find((w) => !w.startsWith('-') && commands.includes(w));
  if (!cmd) {
    if (current.startsWith('-')) return { items: ['--help', '--version'].filter((f) => f.startsWith(current)), directive: NO_FILES };
    return { items: commands.filter((c) => c.startsWith(current)), directive: NO_FILES };
  }
  const flags = flagsOf(manifest, cmd);
  const prev = before.at(-1) ?? '';
  const prevFlag = prev.startsWith('--') ? flags.find((f) => `--${f.name}` === prev) : prev.startsWith('-') && prev.length === 2 ? flags.find((f) => f.char === prev[1]) : undefined;
  if (prevFlag && prevFlag.type === 'option' && !current.startsWith('-')) {
    if (prevFlag.options) return { items: prevFlag.options.filter((o) => o.startsWith(current)), directive: NO_FILES };
    if (prevFlag.name === 'namespace') return { items: [], directive: NO_FILES, live: 'namespace' };
    if (prevFlag.name === 'agent') return { items: [], directive: NO_FILES, live: 'agent' };
    if (prevFlag.name === 'context') return { items: [], directive: NO_FILES, live: 'context' };
    return { items: [], directive: DEFAULT }; // files and free values
  }
  if (current.startsWith('-')) {
    const names = flags.flatMap((f) => [`--${f.name}`, ...(f.allowNo ? [`--no-${f.name}`] : [])]).concat('--help');
    return { items: names.filter((n) => n.startsWith(current)).sort(), directive: NO_FILES };
  }
  return { items: [], directive: cmd === 'check-token' ? DEFAULT : NO_FILES };
}

function valueOf(words: string[], long: string, short?: string): string | undefined {
  for (let i = 0; i < words.length - 1; i++) {
    const w = words[i]!;
    if (w === `--${long}` || (short && w === `-${short}`)) return words[i + 1];
    if (w.startsWith(`--${long}=`)) return w.slice(long.length + 3);
  }
  return undefined;
}

async function liveValues(kind: 'namespace' | 'agent' | 'context', words: string[]): Promise<string[]> {
  const { loadKubeTarget, kubeconfigPaths } = await import('./adapters/kube/kubeconfig.js');
  const kubeconfig = valueOf(words, 'kubeconfig');
  const context = valueOf(words, 'context');
  if (kind === 'context') {
    const { parse } = await import('yaml');
    const out = new Set<string>();
    for (const p of kubeconfigPaths(kubeconfig)) {
      try {
        for (const c of ((parse(readFileSync(p, 'utf8')) ?? {}) as { contexts?: Array<{ name?: string }> }).contexts ?? []) if (c.name) out.add(c.name);
      } catch {
        // unreadable file: skip
      }
    }
    return [...out];
  }
  const { KubeClient } = await import('./adapters/kube/client.js');
  const target = await loadKubeTarget({ ...(kubeconfig ? { kubeconfig } : {}), ...(context ? { context } : {}) });
  const client = new KubeClient(target, 2000);
  try {
    if (kind === 'namespace') {
      const r = await client.json<{ items: Array<{ metadata: { name: string } }> }>({ path: '/api/v1/namespaces' });
      return r.items.map((i) => i.metadata.name);
    }
    const ns = valueOf(words, 'namespace', 'n') ?? target.namespace ?? 'omnia-system';
    const all = words.includes('-A') || words.includes('--all-namespaces');
    const r = await client.json<{ items: Array<{ metadata: { labels?: Record<string, string> } }> }>({
      path: all ? '/api/v1/pods' : `/api/v1/namespaces/${encodeURIComponent(ns)}/pods`, query: { labelSelector: 'omnia.altairalabs.ai/component=agent' },
    });
    return [...new Set(r.items.map((i) => i.metadata.labels?.['app.kubernetes.io/instance']).filter((x): x is string => Boolean(x)))];
  } finally {
    client.close();
  }
}

export async function main(argv: string[], manifestPath: string): Promise<void> {
  // kubectl may pass "__complete" first (Cobra's hidden command); the rest are the words
  const words = argv[0] === '__complete' || argv[0] === '__completeNoDesc' ? argv.slice(1) : argv;
  if (words.length === 0) words.push('');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const c = complete(manifest, words);
  let items = c.items;
  if (c.live) {
    try {
      items = (await liveValues(c.live, words)).filter((v) => v.startsWith(words.at(-1) ?? '')).sort();
    } catch {
      items = []; // no cluster: nothing to offer, no error on the user's prompt
    }
  }
  process.stdout.write(`${items.map((i) => `${i}\n`).join('')}:${c.directive}\n`);
}
