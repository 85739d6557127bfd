// A rollout's state as the state store keeps it (namespace `rollouts`, key the rollout's id): the
// step machine's state plus what a fleet needs to agree on it. Every transition is a
// compare-and-set on this record, so among replicas judging the same data one decision per step is
// taken once; every replica applies the record it is notified of. No record: not started (pending).
import type { JsonObject, StateOp } from '../../core/store.js'
import type { Judgement } from './rollout.js'
import type { RolloutStats } from './health.js'
import type { RolloutConfig } from './schema.js'
import { canaryPercent, pause, promote, resume, rollback, type RolloutSettings, type RolloutState, type RolloutStatus } from './rollout.js'

export const ROLLOUTS_NAMESPACE = 'rollouts'

/** `stopped`: an operator (or the `dark` activation) took the canary out; it serves nobody. */
export type RecordStatus = RolloutStatus | 'stopped'

export interface RolloutRecord {
  readonly stepIndex: number
  readonly stepStartedAtMs: number
  readonly status: RecordStatus
  readonly reason: string
  /** Counts starts: a restarted rollout is a new run with fresh statistics. */
  readonly run: number
  /** Counts step changes within the run: each step's statistics are its own. */
  readonly generation: number
  readonly updatedAtMs: number
}

const STATUSES: readonly string[] = ['progressing', 'paused', 'promoted', 'rolled-back', 'stopped']

/** The record, or undefined when the stored document is not one (hand-edited, or a newer layout). */
export function parseRecord(value: JsonObject | null | undefined): RolloutRecord | undefined {
  if (value === null || value === undefined) return undefined
  const { stepIndex, stepStartedAtMs, status, reason, run, generation, updatedAtMs } = value
  const integer = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0
  if (!integer(stepIndex) || !integer(run) || !integer(generation)) return undefined
  if (typeof stepStartedAtMs !== 'number' || typeof updatedAtMs !== 'number' || typeof reason !== 'string') return undefined
  if (typeof status !== 'string' || !STATUSES.includes(status)) return undefined
  return { stepIndex, stepStartedAtMs, status: status as RecordStatus, reason, run, generation, updatedAtMs }
}

export function toJson(record: RolloutRecord): JsonObject {
  return { ...record }
}

/** The step machine's view, while it has one to judge (progressing or paused). */
export function judgedState(record: RolloutRecord | undefined): RolloutState | undefined {
  if (record === undefined || (record.status !== 'progressing' && record.status !== 'paused')) return undefined
  return { stepIndex: record.stepIndex, stepStartedAtMs: record.stepStartedAtMs, status: record.status, reason: record.reason }
}

/** The canary's share of users: 0 before a start and once stopped or rolled back; 100 once complete. */
export function recordPercent(record: RolloutRecord | undefined, settings: RolloutSettings): number {
  if (record === undefined || record.status === 'stopped') return 0
  const stepIndex = Math.min(record.stepIndex, settings.steps.length - 1)
  return canaryPercent({ ...record, stepIndex, status: record.status }, settings)
}

/** The record after `state` (a judged or manual transition of `from`); a new step is a new generation. */
export function nextRecord(from: RolloutRecord, state: RolloutState | { readonly status: RecordStatus; readonly reason: string; readonly stepIndex?: number; readonly stepStartedAtMs?: number }, nowMs: number): RolloutRecord {
  const stepIndex = state.stepIndex ?? from.stepIndex
  const stepStartedAtMs = state.stepStartedAtMs ?? from.stepStartedAtMs
  const moved = stepIndex !== from.stepIndex || stepStartedAtMs !== from.stepStartedAtMs
  return { stepIndex, stepStartedAtMs, status: state.status, reason: state.reason, run: from.run, generation: from.generation + (moved ? 1 : 0), updatedAtMs: nowMs }
}

/** A fresh run from step 1. */
export function startedRecord(previous: RolloutRecord | undefined, nowMs: number, reason: string): RolloutRecord {
  return { stepIndex: 0, stepStartedAtMs: nowMs, status: 'progressing', reason, run: (previous?.run ?? 0) + 1, generation: 0, updatedAtMs: nowMs }
}

/** Where a step's statistics are kept in the outcome store. */
export const statsKey = (id: string, record: RolloutRecord): string => `rollout:${id}:${record.run}:${record.generation}`

export const ROLLOUT_ACTIONS = ['start', 'pause', 'resume', 'promote', 'rollback', 'stop', 'complete'] as const
export type RolloutAction = (typeof ROLLOUT_ACTIONS)[number]

/** A manual (or activation) action that makes no sense in the rollout's state: the admin API answers 409. */
export class RolloutActionError extends Error {}

/** The record after an operator's `action` on `current` (undefined: never started). Throws RolloutActionError when it makes no sense. */
export function applyAction(current: RolloutRecord | undefined, action: RolloutAction, settings: RolloutSettings, nowMs: number, reason: string): RolloutRecord {
  const status = current?.status ?? 'pending'
  const refuse = (): never => {
    throw new RolloutActionError(`cannot ${action} a rollout that is ${status}`)
  }
  if (action === 'start') {
    if (status === 'progressing' || status === 'paused') refuse()
    return startedRecord(current, nowMs, reason)
  }
  if (current === undefined) return refuse()
  const state = judgedState(current)
  const last = settings.steps.length - 1
  try {
    switch (action) {
      case 'pause':
        return nextRecord(current, pause(state ?? refuse(), reason), nowMs)
      case 'resume':
        return nextRecord(current, resume(state ?? refuse(), reason), nowMs)
      case 'promote':
        return nextRecord(current, promote(state ?? refuse(), settings, nowMs, reason), nowMs)
      case 'complete':
        if (state === undefined) refuse()
        return nextRecord(current, { stepIndex: last, stepStartedAtMs: nowMs, status: 'promoted', reason }, nowMs)
      case 'rollback':
        if (current.status === 'stopped') refuse()
        return nextRecord(current, rollback({ ...current, status: current.status as RolloutStatus }, reason), nowMs)
      case 'stop':
        if (current.status === 'stopped') refuse()
        return nextRecord(current, { status: 'stopped', reason }, nowMs)
    }
  } catch (err) {
    if (err instanceof RolloutActionError) throw err
    throw new RolloutActionError((err as Error).message)
  }
  return refuse()
}

export class RolloutNotFound extends Error {}

/** A rollout as the admin API reports it. */
export interface RolloutView {
  readonly id: string
  readonly config: RolloutConfig
  readonly record: RolloutRecord | undefined
  readonly canaryPercent: number
  readonly stats: RolloutStats
  /** What the judge would decide now (undefined unless progressing or paused). */
  readonly judgement: Judgement | undefined
}

/** What the admin API drives (runtime/rollouts.ts implements it). */
export interface RolloutControl {
  ids(): string[]
  view(id: string): Promise<RolloutView | undefined>
  /** Throws RolloutNotFound, RolloutActionError, or a state store error (code `conflict`: retry). */
  act(id: string, action: RolloutAction, actor: string, reason: string): Promise<RolloutRecord>
  activationOps(sequence: string, actor: string, reason: string): Promise<{ ops: StateOp[]; actions: Record<string, RolloutAction> }>
  activated(actions: Readonly<Record<string, RolloutAction>>): void
  /** Re-reads the records (after a write whose notification may come later, as with Redis). */
  reload(): Promise<void>
}
