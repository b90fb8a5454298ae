/** `ondeck release`: the checks and where the release went on stdout, problems on stderr. */
import { resolve } from 'node:path';
import { OndeckError } from '../core/errors.ts';
import { ReleaseOptionError, importRelease, parseReleaseArgs } from '../pipeline/import/index.ts';
import { signingKeyNotice } from '../pipeline/release/index.ts';

export async function releaseCommand(argv: readonly string[]): Promise<number> {
  try {
    const options = parseReleaseArgs(argv, process.env);
    const result = await importRelease(options);
    for (const w of result.warnings) console.error(`warning: ${w}`);
    console.error(signingKeyNotice(result.signing.file, result.signing.publicKey, result.signing.created));
    console.log('checked:');
    for (const c of result.checks) console.log(`  ✓ ${c}`);
    const v = result.verified;
    console.log(
      `\nrelease ${result.manifest.releaseId}: ${v.items} items, ${v.shards} shards, ${(v.bytes / 1e6).toFixed(2)} MB in ${resolve(options.out)} ` +
        `(${result.written.seconds.toFixed(1)} s)`,
    );
    return 0;
  } catch (err) {
    if (err instanceof ReleaseOptionError) {
      console.error(`ondeck release: ${err.message}\n(ondeck release --help shows the options)`);
      return 2;
    }
    if (err instanceof OndeckError) {
      console.error(`ondeck release: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
