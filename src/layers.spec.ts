import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const root = resolve(import.meta.dirname, '..');

/** Runs `npm run lint`'s dependency check (.dependency-cruiser.cjs) on a tree of tiny files. */
async function cruise(files: Record<string, string>): Promise<{ code: number; output: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'layers-'));
  try {
    const tsconfig = { compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' } };
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    const bin = join(root, 'node_modules', '.bin', 'depcruise');
    const args = ['src', '--config', join(root, '.dependency-cruiser.cjs')];
    try {
      const { stdout } = await promisify(execFile)(bin, args, { cwd: dir });
      return { code: 0, output: stdout };
    } catch (error) {
      const failed = error as { code: number; stdout: string };
      return { code: failed.code, output: failed.stdout };
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('the layers of src/ (npm run lint)', () => {
  it('accepts imports that point down', async () => {
    const { code, output } = await cruise({
      'src/config/app-config.ts': 'export const config = {};\n',
      'src/sessions/sessions.service.ts':
        "import { config } from '../config/app-config.js';\nexport const sessions = config;\n",
      'src/auth/auth.service.ts':
        "import { sessions } from '../sessions/sessions.service.js';\nexport const auth = sessions;\n",
      'src/main.ts': "import { auth } from './auth/auth.service.js';\nexport const main = auth;\n",
    });
    expect(output).toContain('no dependency violations');
    expect(code).toBe(0);
  }, 30_000);

  it('fails on an upward import, a sibling import and a folder with no layer', async () => {
    const { code, output } = await cruise({
      'src/auth/auth.service.ts': 'export class AuthService {}\n',
      // Infrastructure reaching up into a feature.
      'src/config/app-config.ts':
        "import { AuthService } from '../auth/auth.service.js';\nexport const auth = AuthService;\n",
      'src/admin/user-admin.service.ts': 'export class UserAdminService {}\n',
      // One feature importing another.
      'src/account/account.service.ts':
        "import { UserAdminService } from '../admin/user-admin.service.js';\nexport const a = UserAdminService;\n",
      'src/api-keys/api-keys.service.ts':
        "import { AuthService } from '../auth/auth.service.js';\nexport const p = AuthService;\n",
    });
    expect(code).not.toBe(0);
    expect(output).toContain('layers: config: src/config/app-config.ts → src/auth/auth.service.ts');
    expect(output).toContain(
      'layers: account: src/account/account.service.ts → src/admin/user-admin.service.ts',
    );
    expect(output).toContain('layers: every folder has a layer: src/api-keys/api-keys.service.ts');
  }, 30_000);
});
