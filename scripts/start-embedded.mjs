// `npm start`: the whole suite in one process on embedded defaults (Node.js only).
// TypeScript runs through SWC (decorator metadata for Nest, tsconfig paths for the libs).
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const child = spawn(
  process.execPath,
  [
    '--max-old-space-size=512',
    '-r',
    'reflect-metadata',
    '-r',
    '@swc-node/register',
    join(root, 'services/embedded/src/main.ts'),
    ...process.argv.slice(2),
  ],
  {
    cwd: root,
    stdio: 'inherit',
    env: { SWC_NODE_PROJECT: join(root, 'tsconfig.json'), ...process.env },
  },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
