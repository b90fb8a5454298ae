/** `ondeck serve`: its arguments, then the one serve path (run-server.ts). */
import { SERVE_USAGE, ServeOptionError, parseServeArgs } from '../server/cli/index.ts';
import { runServer } from './run-server.ts';

export async function serveCommand(argv: readonly string[]): Promise<number> {
  let args;
  try {
    args = parseServeArgs(argv, process.env);
  } catch (err) {
    if (err instanceof ServeOptionError) {
      console.error(`ondeck serve: ${err.message}\n\n${SERVE_USAGE}`);
      return 2;
    }
    throw err;
  }
  if (args.help) {
    console.log(SERVE_USAGE);
    return 0;
  }

  return runServer(args, { command: 'serve' });
}
