// The model-based detector's side of the gate (docs/guardrails.md "Guard model"): one question per
// distinct request text, remembered by the text's SHA-256 for `cacheTtlSeconds`, so a repeated
// prompt costs no second call; the verdict becomes an event, and a refusal when the action is
// `block` in block mode. No verdict (timeout, failure, budget) follows the fail mode.
import { createHash } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import type { ClassifierVerdict, TextClassifier } from '../../core/classifier.js'
import type { ErrorCode } from '../../core/errors.js'
import type { GuardrailEvent, GuardrailState, RequestFacts } from '../../core/facts.js'
import { countCheck, observeDuration } from './counters.js'
import type { ModelDetectorConfig } from './schema.js'

export interface ModelResult {
  readonly event: GuardrailEvent | undefined
  readonly refusal: { readonly code: ErrorCode; readonly detail: string } | undefined
}

type Settled = Exclude<ClassifierVerdict, { kind: 'failed' }>

export class ModelCheck {
  readonly #cache: LRUCache<string, Settled> | undefined

  constructor(
    private readonly settings: ModelDetectorConfig,
    private readonly classifier: TextClassifier,
  ) {
    this.#cache = settings.cacheSize === 0 ? undefined : new LRUCache({ max: settings.cacheSize, ttl: settings.cacheTtlSeconds * 1000 })
  }

  get failMode(): 'open' | 'closed' {
    return this.settings.failMode
  }

  /** The verdict on `text`: at once when remembered, else after the call. */
  judge(text: string, facts: RequestFacts, mode: GuardrailState['mode']): ModelResult | Promise<ModelResult> {
    const key = createHash('sha256').update(text).digest('base64')
    const cached = this.#cache?.get(key)
    if (cached !== undefined) return this.#result(cached, text, mode, true)
    const started = performance.now()
    return this.classifier.classify(text, facts).then((verdict) => {
      observeDuration('model', 'request', performance.now() - started)
      if (verdict.kind !== 'failed') this.#cache?.set(key, verdict)
      return this.#result(verdict, text, mode, false)
    })
  }

  #result(verdict: ClassifierVerdict, text: string, mode: GuardrailState['mode'], cached: boolean): ModelResult {
    const { action } = this.settings
    if (verdict.kind === 'safe') {
      countCheck('model', action, mode, 'pass', 'request')
      return { event: undefined, refusal: undefined }
    }
    if (verdict.kind === 'failed') {
      countCheck('model', action, mode, 'failed', 'request')
      const event: GuardrailEvent = { detector: 'model', category: 'no_verdict', side: 'request', outcome: 'failed', start: 0, end: 0 }
      const refuse = mode === 'block' && this.settings.failMode === 'closed'
      return { event, refusal: refuse ? { code: 'SLUICE_ERR_GUARDRAIL_UNAVAILABLE', detail: `The guard model gave no verdict: ${verdict.reason}` } : undefined }
    }
    const outcome: GuardrailEvent['outcome'] = action === 'log' ? 'logged' : mode === 'block' ? 'blocked' : 'would_block'
    countCheck('model', action, mode, outcome, 'request')
    const category = verdict.categories.length === 0 ? 'unsafe' : verdict.categories.join('+')
    const event: GuardrailEvent = { detector: 'model', category, side: 'request', outcome, start: 0, end: text.length }
    const detail = `The guard model judged the request unsafe (${category})${cached ? ', remembered' : ''}.`
    return { event, refusal: outcome === 'blocked' ? { code: 'SLUICE_ERR_GUARDRAIL_MODEL', detail } : undefined }
  }
}
