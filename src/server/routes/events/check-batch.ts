/**
 * What the JSON schema cannot say about a batch, checked against the server's clock and
 * settings before anything is stored (RequestValidationError naming the field):
 * - days are calendar days from maxAgeDays ago to tomorrow (UTC);
 * - event times are no later than the server's clock plus the device's own skew allowance, and
 *   no older than replay detection remembers;
 * - noise carries the server's epsilon, and every noisy value stays within what one batch can
 *   hold plus `noiseScales` noise scales; an exact batch folds no more events than one batch can.
 */
import { MAX_AGGREGATE_EVENTS, MAX_FUTURE_SKEW_MS, MAX_WATCH_CLIP_SECONDS, MAX_WATCH_SECONDS, type AggregateBatch, type EventBatch } from '../../../core/sync/wire.ts';
import { SERVER_DEFAULTS } from '../../defaults.ts';
import { RequestValidationError } from '../../errors.ts';
import { utcDay } from '../../store/day-counts.ts';
import { isCalendarDay } from '../../store/check-storable.ts';

const DAY_MS = 86_400_000;
const COUNTERS = ['impressions', 'clicks', 'watches', 'likes', 'hides', 'skips'] as const;

/** Watch seconds one exact watch event may carry (the device clips to it). */
const EXACT_WATCH_MAX = MAX_WATCH_SECONDS;

export interface BatchLimits {
  now: number;
  epsilon: number;
}

function checkAggregate(batch: AggregateBatch, { now, epsilon }: BatchLimits): void {
  const { maxAgeDays, noiseScales } = SERVER_DEFAULTS.aggregate;
  const first = utcDay(now - maxAgeDays * DAY_MS);
  const last = utcDay(now + DAY_MS);
  const noisy = batch.noise !== undefined;
  if (noisy && batch.noise!.epsilon !== epsilon) {
    throw new RequestValidationError('noise.epsilon', `must be ${epsilon}, the epsilon this server takes (set the sync option epsilon to it)`);
  }
  // Noise scale of the counts (1/epsilon) and of watch seconds (clip/epsilon).
  const slack = noisy ? noiseScales / epsilon : 0;
  const watchSlack = noisy ? (noiseScales * MAX_WATCH_CLIP_SECONDS) / epsilon : 0;
  let events = 0;
  batch.counts.forEach((c, i) => {
    if (!isCalendarDay(c.day)) throw new RequestValidationError(`counts[${i}].day`, 'must be a calendar day written YYYY-MM-DD');
    if (c.day < first || c.day > last) throw new RequestValidationError(`counts[${i}].day`, `must be a UTC day from ${first} to ${last}`);
    for (const k of COUNTERS) {
      if (c[k] < -slack || c[k] > MAX_AGGREGATE_EVENTS + slack) {
        throw new RequestValidationError(`counts[${i}].${k}`, `must be from ${-slack} to ${MAX_AGGREGATE_EVENTS + slack} (one batch folds at most ${MAX_AGGREGATE_EVENTS} events${noisy ? `, plus ${noiseScales} noise scales` : ''})`);
      }
      events += c[k];
    }
    const maxWatch = (noisy ? MAX_AGGREGATE_EVENTS : c.watches) * (noisy ? MAX_WATCH_CLIP_SECONDS : EXACT_WATCH_MAX) + watchSlack;
    if (c.watchSeconds < -watchSlack || c.watchSeconds > maxWatch) {
      throw new RequestValidationError(`counts[${i}].watchSeconds`, `must be from ${-watchSlack} to ${maxWatch}${noisy ? '' : ' (watches × 24 h)'}`);
    }
    const maxFraction = (noisy ? MAX_AGGREGATE_EVENTS : c.watches) + slack;
    if (c.watchFractionSum < -slack || c.watchFractionSum > maxFraction + 1e-9) {
      throw new RequestValidationError(`counts[${i}].watchFractionSum`, `must be from ${-slack} to ${maxFraction}${noisy ? '' : ' (one fraction of at most 1 per watch)'}`);
    }
  });
  if (!noisy && events > MAX_AGGREGATE_EVENTS) {
    throw new RequestValidationError('counts', `hold ${events} events; one batch folds at most ${MAX_AGGREGATE_EVENTS}`);
  }
}

export function checkBatch(batch: EventBatch, limits: BatchLimits): void {
  if (batch.mode === 'aggregate') return checkAggregate(batch, limits);
  const latest = limits.now + MAX_FUTURE_SKEW_MS;
  const earliest = limits.now - SERVER_DEFAULTS.dedupRetentionDays * DAY_MS;
  batch.events.forEach((e, i) => {
    if (e.at > latest) {
      throw new RequestValidationError(`events[${i}].at`, `must not be more than ${MAX_FUTURE_SKEW_MS / 3_600_000} h after the server's clock (${new Date(limits.now).toISOString()})`);
    }
    if (e.at < earliest) {
      throw new RequestValidationError(`events[${i}].at`, `must not be more than ${SERVER_DEFAULTS.dedupRetentionDays} days old (replays of older batches could not be recognised)`);
    }
  });
}
