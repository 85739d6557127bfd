// Auto-conclusion (docs/experiments.md "Concluding"): about once a second, every running experiment
// with `autoConclude` is judged from its results; when the decision is decisive — the primary
// metric's always-valid sequential test separates a variant from the control, no guardrail metric
// is worse, no sample-ratio mismatch — it is concluded with that winner, which is then promoted
// (every request of the model goes to the winner's target). The conclusion is a store record like
// an operator's (audited as `experiment.auto-conclude` by actor `sluice`), counted in
// `sluice_experiment_conclusions_total`, and announced to the experiment's `alertWebhooks`.
// Safe to look often: the sequential intervals hold at every look. The record is re-read before
// the write, which is a compare-and-set on what was read: an experiment concluded (or stopped)
// meanwhile is left alone, and of two replicas judging in the same instant one writes the
// conclusion and the other gets a conflict and skips it.
import type { Logger } from 'pino'
import { metrics } from '../core/metrics.js'
import type { StateStore } from '../core/store.js'
import { StateError } from '../state/errors.js'
import { DEFAULT_DELIVERY, deliverWebhook, type WebhookDelivery } from '../gates/budget/actions.js'
import type { Snapshot } from '../pipeline/snapshot.js'
import { EXPERIMENTS_NAMESPACE, parseStored, type StoredExperiment } from '../steering/experiments/lifecycle.js'
import { reportOf } from '../steering/experiments/report.js'

export const AUTO_CONCLUDE_INTERVAL_MS = 1000

export interface AutoConcludeDeps {
  snapshot(): Snapshot
  readonly store: StateStore
  readonly logger: Logger
  /** Applies the written record to this replica's snapshot. */
  refresh(): Promise<unknown>
  readonly delivery?: Partial<WebhookDelivery>
}

/** Judges every running auto-concluding experiment once; resolves when the ones that concluded are written. */
export async function autoConclude(deps: AutoConcludeDeps): Promise<void> {
  const snapshot = deps.snapshot()
  for (const [key, experiment] of Object.entries(snapshot.config.experiments)) {
    if (experiment.status !== 'running' || !experiment.autoConclude) continue
    const results = reportOf(key, experiment, await snapshot.outcomes.read(key))
    const { decision } = results
    if (!decision.decisive) continue
    const raw = await deps.store.getRecord(EXPERIMENTS_NAMESPACE, key)
    const stored = raw === null ? undefined : parseStored(raw)
    // An operator (or another replica) may have changed it since this snapshot was built.
    if (stored !== undefined && stored.status !== 'running') continue
    const record: StoredExperiment = { ...stored, status: 'concluded', winner: decision.winner }
    // Compare-and-set on the record read above: among replicas concluding at once, one writes it.
    try {
      await deps.store.transaction([
        { op: 'put-record', namespace: EXPERIMENTS_NAMESPACE, key, value: JSON.parse(JSON.stringify(record)), ifMatch: raw, actor: 'sluice', reason: decision.reason, action: 'experiment.auto-conclude' },
      ])
    } catch (err) {
      if (err instanceof StateError && err.code === 'conflict') continue
      throw err
    }
    metrics.experimentConclusions.labels(key, decision.winner).inc()
    deps.logger.warn({ experiment: key, winner: decision.winner, reason: decision.reason }, 'experiment concluded by itself')
    await deps.refresh()
    const event = { type: 'sluice.experiment.concluded', experiment: key, model: experiment.model, winner: decision.winner, reason: decision.reason, at: new Date().toISOString() }
    const delivery = { ...DEFAULT_DELIVERY, ...deps.delivery }
    for (const hook of experiment.alertWebhooks) {
      void deliverWebhook(hook.url, hook.headers, JSON.stringify(event), `${key}:concluded`, delivery).then((result) => {
        if (!result.delivered) deps.logger.error({ experiment: key, status: result.status, error: result.error }, 'experiment conclusion alert not delivered')
      })
    }
  }
}
