/** Marks ondeck's prebuilt files as minified, so webpack's minimizer leaves them alone. */
export declare class OndeckWebpackPlugin {
  apply(compiler: { webpack: { Compilation: unknown }; hooks: unknown }): void;
}
