/**
 * `ondeck <command>`: the one entry point of the Node side. It only dispatches; the work lives in
 * src/pipeline (build) and src/server (serve), which never import each other.
 */
const USAGE = `Usage: ondeck <command>

Commands:
  start   build the demo release if models/ has none, then serve the demo feed
  build   train the models, evaluate them, write a release (ondeck build --help)
  release package ONNX models and item embeddings trained elsewhere into a signed release
          (ondeck release --help)
  demo-release
          (re)build the demo release in models/, as start does on a first run
  serve   serve releases and the feature store      (ondeck serve --help)
  help    show this text`;

export async function main(argv: readonly string[]): Promise<number> {
  const [command = 'help'] = argv;
  switch (command) {
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return 0;
    case 'build':
      if (argv.includes('--help') || argv.includes('-h')) {
        const { BUILD_USAGE } = await import('../pipeline/build/index.ts');
        console.log(BUILD_USAGE);
        return 0;
      }
      return (await import('./build.ts')).buildCommand(argv.slice(1));
    case 'release':
      if (argv.includes('--help') || argv.includes('-h')) {
        const { RELEASE_USAGE } = await import('../pipeline/import/index.ts');
        console.log(RELEASE_USAGE);
        return 0;
      }
      return (await import('./release.ts')).releaseCommand(argv.slice(1));
    case 'serve':
      return (await import('./serve.ts')).serveCommand(argv.slice(1));
    case 'demo-release': {
      const { buildDemoRelease } = await import('./start.ts');
      await buildDemoRelease(undefined, 'demo-release');
      return 0;
    }
    case 'start':
      return (await import('./start.ts')).startCommand(argv.slice(1));
    default:
      console.error(`ondeck: unknown command "${command}".\n\n${USAGE}`);
      return 2;
  }
}
