/**
 * Drift of the current release: PSI per feature between the release's training window (its
 * baseline file, releases/<id>.drift.json, written by the pipeline) and the events of the last
 * day in the feature store. Binning and PSI are src/core's, the same code the pipeline used.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { driftRows, parseDriftBaseline, type DriftBaseline, type DriftSample } from '../../core/sync/index.ts';
import type { ServerMetrics } from '../../core/sync/index.ts';
import type { FeatureStore } from '../store/types.ts';
import { DRIFT_DEFAULTS } from './defaults.ts';
import { DriftBaselineError } from './errors.ts';
import { releaseItems } from './release-items.ts';

export interface ComputeDriftOptions {
  store: FeatureStore;
  /** The release folder (manifest.json, releases/, artifacts/). */
  releaseDir: string;
  releaseId: string;
  /** ms since the epoch; the recent window is the DRIFT_DEFAULTS.windowMs before it. */
  now: number;
}

/** Null when the release has no baseline file or no event arrived in the window. */
export async function computeDrift(o: ComputeDriftOptions): Promise<ServerMetrics['drift']> {
  const baseline = await readBaseline(o.releaseDir, o.releaseId);
  if (!baseline) return null;
  const events = await o.store.recentEvents({ since: o.now - DRIFT_DEFAULTS.windowMs, limit: DRIFT_DEFAULTS.maxEvents });
  if (events.length === 0) return null;
  const needsItems = baseline.features.some((f) => f.feature.startsWith('item.'));
  const items = needsItems ? await releaseItems(o.releaseDir, o.releaseId) : new Map();
  const samples: DriftSample[] = events.map((e) => ({
    type: e.type,
    ...(e.watchFraction === undefined ? {} : { watchFraction: e.watchFraction }),
    item: items.get(e.item) ?? null,
  }));
  return { releaseId: baseline.releaseId, trainingWindow: baseline.trainingWindow, rows: driftRows(baseline, samples) };
}

/** The parsed baseline, or null when the release has none (built before drift, or by hand). */
export async function readBaseline(releaseDir: string, releaseId: string): Promise<DriftBaseline | null> {
  // The id becomes a file name: the release id rule keeps it inside releases/.
  if (!/^[A-Za-z0-9._:-]{1,128}$/.test(releaseId) || releaseId.startsWith('.')) {
    throw new DriftBaselineError('releaseId', `"${releaseId.slice(0, 140)}" is not a release id (1-128 of A-Z a-z 0-9 . _ : -)`);
  }
  const file = join(releaseDir, 'releases', `${releaseId}.drift.json`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new DriftBaselineError(file, `cannot read: ${(err as Error).message}`, { cause: err });
  }
  let baseline: DriftBaseline;
  try {
    baseline = parseDriftBaseline(JSON.parse(text));
  } catch (cause) {
    throw new DriftBaselineError(file, `not a valid drift baseline: ${(cause as Error).message}`, { cause });
  }
  if (baseline.releaseId !== releaseId) {
    throw new DriftBaselineError(file, `holds the baseline of release "${baseline.releaseId}", not "${releaseId}"`);
  }
  return baseline;
}
