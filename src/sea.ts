// Entry of the self-contained executable (Node's single executable application): the same
// commands, dispatched without oclif's file-system discovery, so that one bundled file works.
import { Config, Help } from '@oclif/core';
import { dirname, join } from 'node:path';
import Apply from './commands/apply.js';
import CheckToken from './commands/check-token.js';
import Logs from './commands/logs.js';
import Status from './commands/status.js';

const COMMANDS = { apply: Apply, 'check-token': CheckToken, logs: Logs, status: Status } as const;
declare const __PJSON__: Record<string, unknown>;
/** oclif.manifest.json's commands (their cached form, which oclif's help renders). */
declare const __COMMANDS__: Record<string, unknown>;

async function main(argv: string[]): Promise<void> {
  // no files to read: the package.json is compiled in, and the root holds nothing
  const config = await Config.load({ root: join(dirname(process.execPath), '.kubectl-omnia-auth-sea'), pjson: __PJSON__ as never });
  const [id, ...rest] = argv;
  const cmd = id ? COMMANDS[id as keyof typeof COMMANDS] : undefined;
  if (!cmd) {
    if (id === '--version' || id === 'version') {
      process.stdout.write(`${config.pjson.name}/${config.pjson.version} ${process.platform}-${process.arch} node-${process.version} (self-contained)\n`);
      return;
    }
    const known = !id || id === '--help' || id === '-h' || id === 'help';
    const lines = [
      String(config.pjson.description ?? ''), '', 'USAGE', '  $ kubectl omnia-auth [COMMAND]', '', 'COMMANDS',
      ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(12)} ${c.summary ?? ''}`),
      '', 'Run kubectl omnia-auth COMMAND --help for flags and examples.',
    ];
    (known ? process.stdout : process.stderr).write(`${known ? '' : `error: unknown command ${JSON.stringify(id)}\n\n`}${lines.join('\n')}\n`);
    if (!known) process.exitCode = 2;
    return;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    const help = new Help(config, { stripAnsi: !process.stdout.isTTY });
    await help.showCommandHelp(__COMMANDS__[id!] as never);
    return;
  }
  await cmd.run(rest, config);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
