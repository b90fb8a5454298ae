/**
 * `ondeck <command>`: the one entry point of the Node side. It only dispatches; the work lives in
 * src/pipeline (build) and src/server (serve), which never import each other.
 */
const USAGE = `Usage: ondeck <command>

Commands:
  start   build the demo release if models/ has none, then serve the demo feed
  build   train the models and write a release     (not built yet)
  serve   serve releases and the feature store      (not built yet)
  help    show this text`;

export async function main(argv: readonly string[]): Promise<number> {
  const [command = 'help'] = argv;
  switch (command) {
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return 0;
    case 'start':
    case 'build':
    case 'serve':
      console.error(
        `ondeck ${command}: not available yet. This checkout has the core contracts (feature spec, ` +
          'shard codec, vectors, metrics, release manifest); the training pipeline, the server and ' +
          'the demo feed come next. Run `npm test` to check the core.',
      );
      return 1;
    default:
      console.error(`ondeck: unknown command "${command}".\n\n${USAGE}`);
      return 2;
  }
}
