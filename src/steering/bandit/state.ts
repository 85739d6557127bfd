// The statistics a bandit keeps per arm, as plain JSON for the state store, and how
// two replicas' statistics combine. Every figure is a sum of per-request contributions, each
// scaled by its decay, so statistics add: the fleet view is the sum of the replicas' statistics,
// each first aged to the same instant. Time decay is exact under that sum (it depends only on when
// a request happened); the per-update discount is not (a replica discounts by its own updates), so
// with N replicas sharing traffic evenly, their sum remembers about N / (1 − discount) requests.
//
// A replica must keep its own statistics and add the others' latest copies when it reads, never
// fold them into its own: its next copy would count them again.
import { problemAt, type ConfigProblem } from '../../core/problems.js'
import { decayHealth, emptyHealth, LATENCY_BUCKETS_MS, type Health } from './constraints.js'
import type { BanditSettings } from './settings.js'
import type { Posterior } from './thompson.js'

export interface ArmStats extends Posterior, Health {
  /** The instant every time-decayed figure is as of. */
  readonly atMs: number
}

export interface BanditStats {
  readonly version: 1
  /** By arm id (a target id such as `openai/gpt-4o-mini`). */
  readonly arms: Readonly<Record<string, ArmStats>>
}

/**
 * The arm's statistics, or undefined. Own properties only: an id is a config string, and
 * `arms['constructor']` must not answer with a function from Object.prototype.
 */
export function armOf(stats: BanditStats, id: string): ArmStats | undefined {
  return Object.hasOwn(stats.arms, id) ? stats.arms[id] : undefined
}

export function emptyStats(): BanditStats {
  return { version: 1, arms: {} }
}

export function emptyArm(nowMs: number): ArmStats {
  const { attempts, errors, latencyCounts } = emptyHealth()
  return { successes: 0, failures: 0, attempts, errors, latencyCounts, atMs: nowMs }
}

/** The arm's figures at `nowMs`, time decay applied; an instant before `atMs` changes nothing. */
export function armAt(arm: ArmStats, nowMs: number, settings: BanditSettings): ArmStats {
  if (!(nowMs > arm.atMs)) return arm
  const { successes, failures } = posteriorAt(arm, nowMs, settings)
  const { attempts, errors, latencyCounts } = healthAt(arm, nowMs, settings)
  return { successes, failures, attempts, errors, latencyCounts, atMs: nowMs }
}

/** Only the posterior sums at `nowMs`: what a choice needs when no constraint is configured. */
export function posteriorAt(arm: ArmStats, nowMs: number, settings: BanditSettings): Posterior {
  const elapsedMs = nowMs - arm.atMs
  const { halfLifeMs } = settings
  if (!(elapsedMs > 0) || halfLifeMs === undefined) return arm
  const factor = 2 ** (-elapsedMs / halfLifeMs)
  return { successes: arm.successes * factor, failures: arm.failures * factor }
}

export function healthAt(arm: ArmStats, nowMs: number, settings: BanditSettings): Health {
  return decayHealth(arm, nowMs - arm.atMs, settings.constraints)
}

/** The sum of several replicas' statistics, every arm aged to `nowMs` (or its latest `atMs`, if later). */
export function mergeStats(parts: readonly BanditStats[], nowMs: number, settings: BanditSettings): BanditStats {
  const arms = new Map<string, ArmStats>()
  for (const part of parts) {
    for (const [id, arm] of Object.entries(part.arms)) {
      const other = arms.get(id)
      arms.set(id, other === undefined ? armAt(arm, nowMs, settings) : addArms(other, arm, settings))
    }
  }
  return { version: 1, arms: Object.fromEntries(arms) }
}

function addArms(a: ArmStats, b: ArmStats, settings: BanditSettings): ArmStats {
  const atMs = Math.max(a.atMs, b.atMs)
  const x = armAt(a, atMs, settings)
  const y = armAt(b, atMs, settings)
  return {
    successes: x.successes + y.successes,
    failures: x.failures + y.failures,
    attempts: x.attempts + y.attempts,
    errors: x.errors + y.errors,
    latencyCounts: x.latencyCounts.map((n, i) => n + y.latencyCounts[i]!),
    atMs,
  }
}

export type ParsedStats = { ok: true; stats: BanditStats } | { ok: false; problems: ConfigProblem[] }

/** Checks a stored document (JSON.parse output) before it is trusted: wrong shapes are problems, not NaNs later. */
export function parseStats(value: unknown): ParsedStats {
  const problems: ConfigProblem[] = []
  if (!isRecord(value)) return { ok: false, problems: [problemAt([], 'must be an object', value)] }
  if (value.version !== 1) problems.push(problemAt(['version'], 'must be 1', value.version))
  if (!isRecord(value.arms)) {
    problems.push(problemAt(['arms'], 'must be an object of arm statistics', value.arms))
    return { ok: false, problems }
  }
  const arms: Array<[string, ArmStats]> = []
  for (const [id, raw] of Object.entries(value.arms)) {
    const arm = parseArm(raw, ['arms', id], problems)
    if (arm !== undefined) arms.push([id, arm])
  }
  return problems.length === 0 ? { ok: true, stats: { version: 1, arms: Object.fromEntries(arms) } } : { ok: false, problems }
}

function parseArm(raw: unknown, at: string[], problems: ConfigProblem[]): ArmStats | undefined {
  if (!isRecord(raw)) {
    problems.push(problemAt(at, 'must be an object', raw))
    return undefined
  }
  const before = problems.length
  const count = (key: string): number => {
    const v = raw[key]
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v
    problems.push(problemAt([...at, key], 'must be a finite number ≥ 0', v))
    return 0
  }
  const successes = count('successes')
  const failures = count('failures')
  const attempts = count('attempts')
  const errors = count('errors')
  const atMs = raw.atMs
  if (typeof atMs !== 'number' || !Number.isFinite(atMs)) problems.push(problemAt([...at, 'atMs'], 'must be a finite number', atMs))
  const counts = raw.latencyCounts
  const buckets = LATENCY_BUCKETS_MS.length + 1
  // A different length means the bucket bounds changed since it was stored: the counts mean nothing now.
  if (!Array.isArray(counts) || counts.length !== buckets || !counts.every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0)) {
    problems.push(problemAt([...at, 'latencyCounts'], `must be ${buckets} finite numbers ≥ 0`, counts))
  }
  if (problems.length > before) return undefined
  return { successes, failures, attempts, errors, latencyCounts: (counts as number[]).slice(), atMs: atMs as number }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
