// `npm run typecheck`: the five TypeScript projects (tsconfig.json lists them) checked at once,
// not one after another: each tsc spends much of its time on one core, and together they keep
// both of a small machine's cores busy. Each project's output is printed whole, in order; the
// exit status is the first failure's.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const PROJECTS = (JSON.parse(readFileSync('tsconfig.json', 'utf8')) as { references: { path: string }[] }).references.map((r) => r.path);
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');

const results = await Promise.all(
  PROJECTS.map(
    (project) =>
      new Promise<{ project: string; code: number; output: string }>((resolve) => {
        const child = spawn(process.execPath, [tsc, '-p', project], { stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (d: Buffer) => void (output += d.toString()));
        child.stderr.on('data', (d: Buffer) => void (output += d.toString()));
        child.once('error', (err) => resolve({ project, code: 1, output: `${output}${String(err)}\n` }));
        child.once('exit', (code) => resolve({ project, code: code ?? 1, output }));
      }),
  ),
);
for (const r of results) {
  if (r.output) process.stdout.write(r.output);
  if (r.code !== 0) console.error(`typecheck: tsc -p ${r.project} failed (exit ${r.code})`);
}
process.exit(results.find((r) => r.code !== 0)?.code ?? 0);
