// The pipeline side of the device parity test, computed in Node from the fixture release: for a
// fixed history and clock, the user vector and P(click) of every candidate the device ranks, through the exported
// ONNX models (themselves equal to the trained tfjs models within 1e-7, export-parity.test.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { USER_INDEX_TENSOR, buildFeatureTensors, tensorLayout, type FeatureTensor, type HistoryEntry } from '../../src/core/features/index.ts';
import { FEED_COMPOSITION, SEQUENCE_SCORE_FIELD, decodeStepTable, readsSequenceScore, sequenceItems, sequenceScores, stepRows, candidateContexts, categoryVocab, entryTowerInputs, headSlotsFor, historyScores, interleaveHead, readsHistoryScores, retrievalScore, shardItemRecord } from '../../src/core/feed/index.ts';
import { parseManifest, type ModelRef, type ReleaseManifest } from '../../src/core/release/index.ts';
import { decodeShard, itemVector } from '../../src/core/shard/index.ts';
import { createNodeSession, ortForNode } from '../../src/pipeline/onnx/ort-node.ts';

export interface DeviceReference {
  now: number;
  history: { itemId: string; type: 'click' | 'like'; at: number }[];
  userVector: number[];
  /** item id -> P(click) for the history above, at `now`. */
  pClick: Record<string, number>;
}

export const PARITY_NOW = Date.UTC(2025, 5, 1, 12);

async function run(manifest: ReleaseManifest, dir: string, model: ModelRef, tensors: Record<string, FeatureTensor>, output: string): Promise<Float32Array> {
  const ort = ortForNode();
  const artifact = manifest.artifacts.find((a) => a.name === model.artifact)!;
  const session = await createNodeSession(new Uint8Array(readFileSync(join(dir, artifact.url))));
  const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
  for (const b of model.inputs) {
    const t = tensors[b.tensor]!;
    feeds[b.name] = new ort.Tensor(t.type, t.data, t.dims);
  }
  const out = await session.run(feeds);
  await session.release();
  return out[output]!.data as Float32Array;
}

export async function deviceReference(dir: string): Promise<DeviceReference> {
  const manifest = parseManifest(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
  const spec = manifest.featureSpec;
  const vocab = categoryVocab(spec);
  const shards = manifest.artifacts.filter((a) => a.kind === 'shard').map((a) => decodeShard(new Uint8Array(readFileSync(join(dir, a.url)))));
  const records = new Map<string, ReturnType<typeof shardItemRecord>>();
  for (const s of shards) for (let i = 0; i < s.count; i++) if (!records.has(String(s.id(i)))) records.set(String(s.id(i)), shardItemRecord(s, i, vocab));
  // A history of four items of the head shard, which every device holds from the start (an item
  // outside the loaded shards is tracked by id only; see workers/feed/feed-service.ts).
  const head = shards.find((s) => s.cluster === -1)!;
  const history = [0, 1, 2, 3].map((i, k) => ({ itemId: String(head.id(i)), type: (k % 2 ? 'like' : 'click') as 'click' | 'like', at: PARITY_NOW - (4 - k) * 3_600_000 }));
  const entries: HistoryEntry[] = history.map((h) => ({ item: records.get(h.itemId)!, type: h.type, at: h.at }));
  const layout = tensorLayout(spec);
  const tower = manifest.models.userTower!;
  const userFeatures = [...new Set(tower.inputs.map((b) => layout.find((t) => t.tensor === b.tensor)!.feature))];
  const user = { history: entries };
  const towerInputs = buildFeatureTensors(spec, [{ user }], { now: PARITY_NOW, only: userFeatures });
  const userVector = await run(manifest, dir, tower, towerInputs, tower.outputs.userVector!);
  // The per-entry vectors of the history scores: the tower on each newest entry alone.
  const historyFeature = userFeatures.find((name) => spec.features.find((f) => f.name === name)?.kind === 'history')!;
  const perEntry = entryTowerInputs(towerInputs, historyFeature);
  const entryVectors = readsHistoryScores(spec) && perEntry.rows > 0 ? await run(manifest, dir, tower, perEntry.inputs, tower.outputs.userVector!) : new Float32Array(0);
  // The device's candidates and their context (src/core/feed): the head slots in feed order,
  // then the nearest unseen items by retrieval score; each row carries its score and rank.
  const vectors = new Map<string, Float32Array>();
  for (const s of shards) for (let i = 0; i < s.count; i++) if (!vectors.has(String(s.id(i)))) vectors.set(String(s.id(i)), itemVector(s, i));
  const seen = new Set(history.map((h) => h.itemId));
  const headRecords = Array.from({ length: head.count }, (_, i) => records.get(String(head.id(i)))!);
  const budget = FEED_COMPOSITION.candidates;
  const headIds = Array.from(interleaveHead(headRecords.map((r) => r.popularity), headRecords.map((r) => r.created)), (i) => String(head.id(i)))
    .filter((id) => !seen.has(id))
    .slice(0, headSlotsFor(true, budget));
  const taken = new Set(headIds);
  const rest = [...records.keys()].filter((id) => !seen.has(id) && !taken.has(id));
  const score = (id: string) => retrievalScore(userVector, vectors.get(id)!);
  rest.sort((a, b) => score(b) - score(a));
  const ids = [...headIds, ...rest.slice(0, budget - headIds.length)];
  const contexts = candidateContexts(ids.map(score));
  const scores = readsHistoryScores(spec) ? historyScores(entryVectors, perEntry.rows, userVector.length, ids.map((id) => vectors.get(id)!)) : null;
  // The step table's sequence score, read from the release's artifact.
  const stepsRef = manifest.artifacts.find((a) => a.kind === 'steps');
  const table = stepsRef && readsSequenceScore(spec) ? decodeStepTable(new Uint8Array(readFileSync(join(dir, stepsRef.url)))) : null;
  const sequence = table ? sequenceScores(table, stepRows(table), sequenceItems(table, entries), ids) : null;
  const contextOf = (j: number): Record<string, number> => ({ ...contexts[j]!, ...(scores ? scores[j]! : {}), ...(sequence ? { [SEQUENCE_SCORE_FIELD]: sequence[j]! } : {}) });
  // Per user, as the device builds them, where the ranker takes per-user inputs.
  const perUser = manifest.models.ranker.inputs.some((b) => b.tensor === USER_INDEX_TENSOR);
  const tensors = buildFeatureTensors(spec, ids.map((id, j) => ({ user, item: records.get(id)!, context: contextOf(j) })), { now: PARITY_NOW, perUser });
  const p = await run(manifest, dir, manifest.models.ranker, tensors, manifest.models.ranker.outputs.pClick!);
  return { now: PARITY_NOW, history, userVector: Array.from(userVector), pClick: Object.fromEntries(ids.map((id, i) => [id, p[i]!])) };
}
