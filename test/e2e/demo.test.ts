// npm run demo, non-interactive (--ci): every step must give its expected verdict.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('the demo', () => {
  it('runs to the end and checks each step, then removes everything', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'omnia-auth-demo-')), 'demo');
    try {
      const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'demo.ts'), '--ci'], { env: { ...process.env, OMNIA_AUTH_DEMO_DIR: dir, NO_COLOR: '1' }, encoding: 'utf8', timeout: 180_000 });
      expect(r.stdout).toContain('demo: every step gave the expected verdict');
      expect(r.status).toBe(0);
      for (const s of ['$ kubectl omnia-auth apply', '$ kubectl omnia-auth status', 'Istio would let it through (200)', 'Istio would answer 401 Jwt is expired',
        'Istio would answer 403 Audiences in Jwt are not allowed', 'Istio would answer 403 RBAC: access denied', 'Summary: 4 auth failures']) {
        expect(r.stdout).toContain(s);
      }
      expect(existsSync(dir)).toBe(false);
    } finally {
      rmSync(dirname(dir), { recursive: true, force: true });
    }
  }, 200_000);
});
