// Colour for humans only: off with NO_COLOR, --color never, or when the stream is not a TTY.
// The style is passed to renderers; models never carry colour.
import { Chalk, type ChalkInstance } from 'chalk';

export type ColorMode = 'auto' | 'always' | 'never';

export interface Style {
  enabled: boolean;
  ok: (s: string) => string;
  fail: (s: string) => string;
  warn: (s: string) => string;
  info: (s: string) => string;
  dim: (s: string) => string;
  bold: (s: string) => string;
}

export function colorEnabled(mode: ColorMode, stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (mode === 'never') return false;
  if (mode === 'always') return true;
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['TERM'] === 'dumb') return false;
  return Boolean(stream.isTTY);
}

export function makeStyle(enabled: boolean): Style {
  const c: ChalkInstance = new Chalk({ level: enabled ? 1 : 0 });
  return {
    enabled,
    ok: (s) => c.green(s),
    fail: (s) => c.red(s),
    warn: (s) => c.yellow(s),
    info: (s) => c.cyan(s),
    dim: (s) => c.dim(s),
    bold: (s) => c.bold(s),
  };
}

export const plainStyle: Style = makeStyle(false);
