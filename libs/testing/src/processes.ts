import { execFile } from 'node:child_process';

/** Result of running an external program (a client nobody here wrote). */
export interface ProgramResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program with a time limit; never rejects, so tests can assert on the exit code. */
export function runProgram(
  file: string,
  args: readonly string[],
  options: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<ProgramResult> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      [...args],
      {
        timeout: options.timeoutMs ?? 30_000,
        env: options.env ?? process.env,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** A free TCP port on loopback right now (for servers that must keep their port across restarts). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

/** A Tessera service running as its own process, as it runs in production. */
export interface ServiceProcess {
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  /** SIGTERM, and waits for the exit (graceful shutdown). */
  stop(): Promise<void>;
  /** SIGKILL, and waits for the exit (a crash). */
  kill(): Promise<void>;
}

const ROOT = new URL('../../../', `file://${__dirname}/`).pathname;

/**
 * Starts `services/<name>/src/main.ts` in its own Node process (TypeScript through SWC, as
 * `npm start` runs it) and resolves once it printed `ready` (a pattern matched against its output).
 * @throws if it exits or does not get ready within `timeoutMs`.
 */
export async function startService(
  name: string,
  env: Readonly<Record<string, string>>,
  options: { ready: RegExp; timeoutMs?: number },
): Promise<ServiceProcess> {
  const { spawn } = await import('node:child_process');
  const child = spawn(
    process.execPath,
    [
      '--max-old-space-size=256',
      // e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile the services of a bench run.
      ...(process.env['TESSERA_SERVICE_NODE_ARGS']?.split(' ').filter((a) => a !== '') ?? []),
      '-r',
      'reflect-metadata',
      '-r',
      '@swc-node/register',
      `${ROOT}services/${name}/src/main.ts`,
    ],
    {
      cwd: ROOT,
      env: { ...process.env, SWC_NODE_PROJECT: `${ROOT}tsconfig.json`, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (!options.ready.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await end('SIGKILL');
      throw new Error(`service ${name} did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { output: () => output, stop: () => end('SIGTERM'), kill: () => end('SIGKILL') };
}
