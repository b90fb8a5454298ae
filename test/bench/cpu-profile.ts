/**
 * A CPU profile of one stretch of a bench script (node:inspector), for the scripts that say
 * where a stage's time goes: `const stop = await startCpuProfile(file)`, the work, `await stop()`.
 * Without a file nothing is profiled and stop() returns null.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** Starts profiling when `file` is given; stop() writes the .cpuprofile there and returns it. */
export async function startCpuProfile(file: string | undefined): Promise<() => Promise<CpuProfile | null>> {
  if (file === undefined) return async () => null;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    writeFileSync(file, JSON.stringify(profile));
    return profile as unknown as CpuProfile;
  };
}
