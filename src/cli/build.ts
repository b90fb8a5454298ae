/** `ondeck build`: progress on stderr, the summary table and where the release went on stdout. */
import { resolve } from 'node:path';
import { BuildOptionError, parseBuildArgs, runBuild } from '../pipeline/build/index.ts';
import { createProgress, renderSummaryTable } from '../pipeline/progress/index.ts';
import { headlineRows } from '../pipeline/report/index.ts';
import { signingKeyNotice } from '../pipeline/release/index.ts';
import { OndeckError } from '../core/errors.ts';

export async function buildCommand(argv: readonly string[]): Promise<number> {
  try {
    const options = parseBuildArgs(argv, process.env);
    const result = await runBuild(options, createProgress());
    for (const w of result.warnings) console.error(`warning: ${w}`);
    console.error(signingKeyNotice(result.signing.file, result.signing.publicKey, result.signing.created));
    console.log(`\n${renderSummaryTable(headlineRows(result.report))}`);
    const out = resolve(options.out);
    console.log(
      `\nrelease ${result.manifest.releaseId}: ${result.verified.items} items, ${result.verified.shards} shards, ` +
        `${(result.verified.bytes / 1e6).toFixed(2)} MB in ${out}\nreport: ${out}/report.md (and report.json); ` +
        `build took ${result.report.seconds.total.toFixed(0)} s`,
    );
    return 0;
  } catch (err) {
    if (err instanceof BuildOptionError) {
      console.error(`ondeck build: ${err.message}`);
      return 2;
    }
    if (err instanceof OndeckError) {
      console.error(`ondeck build: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
