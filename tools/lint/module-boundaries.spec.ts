import { execFile } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const fixture = (name: string): string =>
  join(root, 'tools/lint-fixtures/driver-import-app/src', name);

interface LintResult {
  messages: { ruleId: string | null; message: string }[];
}

// ESLint runs as its own process: its flat config is an ES module, which jest's VM cannot import.
function ruleIds(file: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(root, 'node_modules/eslint/bin/eslint.js'), '--no-ignore', '--format', 'json', file],
      { cwd: root, env: { ...process.env, NX_DAEMON: 'false' }, maxBuffer: 8 * 1024 * 1024 },
      (_error, stdout, stderr) => {
        try {
          // The Nx rule may print a notice before the JSON report.
          const [result] = JSON.parse(stdout.slice(stdout.indexOf('[{'))) as LintResult[];
          resolve((result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`));
        } catch {
          reject(new Error(`eslint gave no JSON: ${stderr}`));
        }
      },
    );
  });
}

describe('module boundaries (STYLE.md §3.2)', () => {
  jest.setTimeout(120_000);

  // The Nx rule silently skips itself without a computed project graph; compute it first.
  beforeAll(async () => {
    await new Promise<void>((resolve, reject) => {
      execFile(
        process.execPath,
        [join(root, 'node_modules/nx/dist/bin/nx.js'), 'show', 'projects'],
        { cwd: root, env: { ...process.env, NX_DAEMON: 'false' } },
        (error) => {
          if (error) reject(new Error(`nx show projects failed: ${error.message}`));
          else resolve();
        },
      );
    });
  });

  it('fails an app that imports kafkajs directly', async () => {
    const sut = await ruleIds(fixture('imports-driver.ts'));
    expect(sut).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^no-restricted-imports: .*'kafkajs' may only be imported in libs\/messaging\/kafka/,
        ),
        expect.stringMatching(
          /^@nx\/enforce-module-boundaries: .*"type:app" is not allowed to import "kafkajs"/,
        ),
      ]),
    );
  });

  it('fails an app that depends on a driver adapter lib', async () => {
    const sut = await ruleIds(fixture('imports-adapter.ts'));
    expect(sut).toEqual([
      expect.stringMatching(
        /^@nx\/enforce-module-boundaries: .*"type:app" can only depend on libs tagged with "type:service", "type:nest"/,
      ),
    ]);
  });

  it('passes an app that uses the transport-neutral core', async () => {
    expect(await ruleIds(fixture('imports-core.ts'))).toEqual([]);
  });
});
