/**
 * The names and labels the exported models carry, in one place. Output names are part of the
 * contract with the device (the release manifest maps roles to them), so they change only with
 * a new manifest version.
 */
export const EXPORT_DEFAULTS = Object.freeze({
  /** Graph output names, by the manifest role they fill. */
  outputs: Object.freeze({
    pClick: 'p_click',
    watchFraction: 'watch_fraction',
    userVector: 'user_vector',
    itemVector: 'item_vector',
  }),
  /** The dynamic batch dimension of every input and output. */
  batchDim: 'N' as const,
  /** The dynamic user dimension of per-user inputs (PartsSource.perUser). */
  userDim: 'U' as const,
  /** Prefix of the keys this exporter writes into ModelProto.metadata_props. */
  metadataPrefix: 'ondeck.',
  /**
   * Appended to an input name that would clash with an output name or another input (the
   * fixture spec has a dense *input* feature called `user_vector`, the user tower's output).
   */
  clashSuffix: '_input',
});
