import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { generateSynthetic, loadCsv, loadEventsExport, loadMovieLens, type Dataset } from '../data/index.ts';
import { BUILD_DEFAULTS } from './defaults.ts';
import { BuildOptionError, type BuildOptions } from './options.ts';

/** The dataset an `ondeck build` names. MovieLens defaults to the shared copy beside the repo. */
export function loadDataset(o: BuildOptions): Dataset {
  switch (o.dataset) {
    case 'movielens': {
      const dir = o.path ?? BUILD_DEFAULTS.movielensDir;
      if (!existsSync(dir)) {
        throw new BuildOptionError(
          `MovieLens folder not found: ${resolve(dir)}. Download ml-100k (its licence forbids redistributing it) and pass --path to the folder holding u.data, u.item and u.user.`,
        );
      }
      return loadMovieLens(dir);
    }
    case 'csv':
      return loadCsv(o.items === undefined ? { interactions: o.path! } : { interactions: o.path!, items: o.items });
    case 'events':
      return loadEventsExport(o.path!, o.items === undefined ? {} : { items: o.items });
    case 'synthetic':
      return generateSynthetic({ seed: o.seed, ...o.synthetic });
  }
}
