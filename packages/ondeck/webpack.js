// ondeck/webpack: an optional webpack 5 plugin. ondeck works in webpack without it; it only saves
// build time. webpack copies dist/feed-worker.js into the build as an asset and then minifies
// every .js asset again: 1.6 MB of code already minified costs ~40 s of build for nothing. The
// plugin marks ondeck's prebuilt files as minified, which webpack's minimizer respects.
const FILES = /(^|[\\/])ondeck[\\/]dist[\\/][^\\/]+$/;

export class OndeckWebpackPlugin {
  apply(compiler) {
    const { Compilation } = compiler.webpack;
    compiler.hooks.thisCompilation.tap('OndeckWebpackPlugin', (compilation) => {
      compilation.hooks.processAssets.tap({ name: 'OndeckWebpackPlugin', stage: Compilation.PROCESS_ASSETS_STAGE_OPTIMIZE_SIZE - 1 }, () => {
        for (const asset of compilation.getAssets()) {
          const from = asset.info.sourceFilename;
          if (typeof from === 'string' && FILES.test(from)) compilation.updateAsset(asset.name, asset.source, { minimized: true });
        }
      });
    });
  }
}
