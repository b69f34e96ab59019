// The base of every command: kubectl's flags (kubectl does not pass its own flags to plugins,
// so we parse them), output selection, colour, and the single catch() that turns any failure
// into a message, "Try this" actions and DESIGN.md's exit code, also under -o json.
import { Command, Flags } from '@oclif/core';
import { toJson } from '../render/output.js';
import { colorEnabled, makeStyle, type ColorMode, type Style } from '../render/style.js';
import { toCliError, UsageError, type CliError, type ExitCode } from './errors.js';

export type OutputFormat = 'table' | 'wide' | 'json' | 'yaml';

export const kubeFlags = {
  kubeconfig: Flags.string({ description: 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).', helpGroup: 'KUBERNETES' }),
  context: Flags.string({ description: 'The kubeconfig context to use.', helpGroup: 'KUBERNETES' }),
  namespace: Flags.string({ char: 'n', description: 'Namespace (default: the context\'s namespace, then omnia-system).', helpGroup: 'KUBERNETES' }),
  'request-timeout': Flags.string({ description: 'Time limit for each API request, e.g. 10s, 1m (0: none).', default: '30s', helpGroup: 'KUBERNETES' }),
};

export function outputFlag(options: OutputFormat[], dflt: OutputFormat = 'table') {
  return Flags.string({
    char: 'o',
    description: `Output format: ${options.join('|')}.`,
    options,
    default: dflt,
    helpGroup: 'OUTPUT',
  });
}

export const commonFlags = {
  json: Flags.boolean({ description: 'Same as -o json.', helpGroup: 'OUTPUT' }),
  color: Flags.string({ description: 'Colour: auto (only on a terminal, off with NO_COLOR), always, never.', options: ['auto', 'always', 'never'], default: 'auto', helpGroup: 'OUTPUT' }),
};

export abstract class BaseCommand extends Command {
  /** Set by subclasses once flags are parsed, so that catch() answers in the right format. */
  protected outputFormat: OutputFormat = 'table';

  protected resolveOutput(flags: { output?: string; json?: boolean }): OutputFormat {
    this.outputFormat = flags.json ? 'json' : ((flags.output ?? 'table') as OutputFormat);
    return this.outputFormat;
  }

  protected style(flags: { color?: string }): Style {
    return makeStyle(colorEnabled((flags.color ?? 'auto') as ColorMode, process.stdout, process.env));
  }

  protected stderrStyle(flags: { color?: string }): Style {
    return makeStyle(colorEnabled((flags.color ?? 'auto') as ColorMode, process.stderr, process.env));
  }

  /** Terminal width for wrapping tables; 0 (no wrapping) when stdout is not a terminal. */
  protected width(): number {
    return process.stdout.isTTY ? process.stdout.columns || 120 : 0;
  }

  private progressShown = false;

  /** A transient progress line on stderr, only on a terminal (never in pipes, CI or JSON output). */
  protected progress(message: string): void {
    if (!process.stderr.isTTY || this.outputFormat === 'json' || process.env['CI']) return;
    process.stderr.write(`\r\x1b[2K${message}`);
    this.progressShown = true;
  }

  protected progressDone(): void {
    if (!this.progressShown) return;
    process.stderr.write('\r\x1b[2K');
    this.progressShown = false;
  }

  protected print(text: string): void {
    this.progressDone();
    process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  protected printJson(value: unknown): void {
    this.print(toJson(value));
  }

  protected setExit(code: ExitCode): void {
    process.exitCode = code;
  }

  /** The kubeconfig target and a client for it, from --kubeconfig / --context / --request-timeout. */
  protected async kube(flags: { kubeconfig?: string; context?: string; 'request-timeout': string }) {
    const { loadKubeTarget } = await import('../adapters/kube/kubeconfig.js');
    const { KubeClient } = await import('../adapters/kube/client.js');
    const target = await loadKubeTarget({ ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}), ...(flags.context ? { context: flags.context } : {}) });
    return { target, client: new KubeClient(target, this.durationMs('request-timeout', flags['request-timeout'])) };
  }

  /** Parse a kubectl-style duration (500ms, 10s, 2m, 1h, or bare seconds) to milliseconds. */
  protected durationMs(flag: string, value: string): number {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
    if (!m) throw new UsageError(`invalid --${flag} ${JSON.stringify(value)}: use a duration such as 500ms, 10s, 2m, 1h`);
    const n = Number(m[1]);
    const unit = m[2] ?? 's';
    return Math.round(n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit]!);
  }

  override async catch(err: unknown): Promise<void> {
    this.progressDone();
    const e: CliError = toCliError(err);
    process.exitCode = e.exitCode;
    if (e.message === '') return; // a plain exit
    if (this.outputFormat === 'json') {
      this.printJson({ error: { code: e.code, message: e.message, suggestions: e.suggestions } });
    }
    const s = makeStyle(colorEnabled('auto', process.stderr, process.env));
    const lines = [`${s.fail('error:')} ${e.message}`];
    if (e.suggestions.length) {
      lines.push('Try this:');
      for (const x of e.suggestions) lines.push(`  ${x}`);
    }
    process.stderr.write(`${lines.join('\n')}\n`);
  }
}
