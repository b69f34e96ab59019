import { describe, expect, it } from 'vitest';
import { colorEnabled, makeStyle } from '../../../src/render/style.js';

describe('colour only for humans', () => {
  it.each([
    ['auto', true, {}, true],
    ['auto', false, {}, false],
    ['auto', true, { NO_COLOR: '1' }, false],
    ['auto', true, { TERM: 'dumb' }, false],
    ['always', false, { NO_COLOR: '1' }, true],
    ['never', true, {}, false],
  ] as const)('--color %s, tty %s, env %j -> %s', (mode, tty, env, on) => expect(colorEnabled(mode, { isTTY: tty }, env)).toBe(on));
  it('styles add ANSI codes only when enabled', () => {
    expect(makeStyle(true).fail('x')).toBe('\u001b[31mx\u001b[39m');
    expect(makeStyle(false).fail('x')).toBe('x');
  });
});
