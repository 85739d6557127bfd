// The guard model's calls (docs/guardrails.md "Guard model"): the request's text as one user
// message, translated for the guard model's target like a unified request and sent through the
// same exchange as any request (upstream auth and signing, its deadline, no retries or
// fallbacks), its answer read in OpenAI's format from a channel that keeps it. The answer's first
// word says `safe` or `unsafe`; an unsafe one may name category codes on its next line (Llama
// Guard: `unsafe\nS1,S10`). The call is Sluice's own spend, in the `guardrail` budget scope.
import type { Logger } from 'pino'
import type { ClassifierVerdict, TextClassifier } from '../core/classifier.js'
import type { RequestFacts } from '../core/facts.js'
import type { Target, VirtualModel } from '../core/target.js'
import type { BudgetRuntime } from '../gates/budget/gate.js'
import { reserveOwnSpend, settleOwnSpend } from '../gates/budget/index.js'
import type { ResilienceConfig } from '../resilience/schema.js'
import { parseChatRequest } from '../unified/index.js'
import { translate, type UnifiedRequest } from '../unified/translate.js'
import { adapters } from '../providers/index.js'
import { KeepingChannel } from '../upstream/channel.js'
import { Exchange } from '../upstream/exchange.js'
import { UnifiedLegs } from '../upstream/unified-legs.js'

export interface ClassifierDeps {
  readonly target: Target
  readonly timeoutMs: number
  readonly resilience: ResilienceConfig
  readonly budgets: BudgetRuntime | undefined
  readonly logger: Logger
}

/** The verdict an OpenAI-format answer carries. */
export function verdictOf(status: number, body: string): ClassifierVerdict {
  if (status < 200 || status > 299) return { kind: 'failed', reason: `the guard model answered ${status}` }
  let content: unknown
  try {
    content = (JSON.parse(body) as { choices?: Array<{ message?: { content?: unknown } }> }).choices?.[0]?.message?.content
  } catch {
    return { kind: 'failed', reason: 'the guard model\'s answer is not JSON' }
  }
  if (typeof content !== 'string') return { kind: 'failed', reason: 'the guard model\'s answer has no text' }
  const [first = '', second = ''] = content.trim().split(/\r?\n/)
  const word = first.trim().toLowerCase()
  if (word === 'safe') return { kind: 'safe' }
  if (word === 'unsafe') return { kind: 'unsafe', categories: second.split(/[\s,]+/).filter((c) => /^[A-Za-z0-9_-]{1,32}$/.test(c)) }
  return { kind: 'failed', reason: 'the guard model answered neither safe nor unsafe' }
}

export function createClassifier(deps: ClassifierDeps): TextClassifier {
  const { target } = deps
  const model: VirtualModel = { name: 'guardrail', description: undefined, targets: [target], weights: [1], experiment: undefined, promoted: undefined, bandit: undefined }
  const resilience: ResilienceConfig = { ...deps.resilience, retries: { ...deps.resilience.retries, maxRetries: 0, deadlineMs: deps.timeoutMs } }
  return {
    classify(text, facts) {
      const json = { model: target.model, messages: [{ role: 'user', content: text }], max_tokens: 16 }
      const parsed = parseChatRequest(json)
      if (!parsed.ok) return Promise.resolve({ kind: 'failed', reason: parsed.message })
      const request: UnifiedRequest = { chat: parsed.request, model, json }
      const leg = translate(request, target)
      if (typeof leg === 'string') return Promise.resolve({ kind: 'failed', reason: leg })
      const now = performance.now()
      const callFacts: RequestFacts = { ...facts, bodyReadAt: now, request: leg.request, operation: leg.operation, candidates: [{ target, model: target.model }], responseHeaders: undefined }
      const reservation = deps.budgets === undefined ? undefined : reserveOwnSpend(deps.budgets, target, callFacts, Date.now(), 'guardrail')
      if (deps.budgets !== undefined && reservation === undefined) return Promise.resolve({ kind: 'failed', reason: 'the guardrail budget is spent' })
      const channel = new KeepingChannel()
      return new Promise<ClassifierVerdict>((resolve) => {
        const legs = new UnifiedLegs(adapters.openai, request, facts.requestId, new Map([[target, leg]]), Date.now)
        new Exchange({
          facts: callFacts,
          plan: { candidates: callFacts.candidates, by: 'guardrail', tags: undefined, credit: undefined },
          legs,
          channel,
          resilience,
          logger: deps.logger,
          now: () => performance.now(),
          random: Math.random,
          wrapSink: (sink) => sink,
          done: (outcome) => {
            if (reservation !== undefined) settleOwnSpend(deps.budgets!, reservation, outcome, Date.now())
            resolve(outcome.code === 'SLUICE_ERR_UPSTREAM_TIMEOUT' ? { kind: 'failed', reason: `no answer within ${deps.timeoutMs} ms` } : verdictOf(channel.status, channel.body))
          },
        }).start()
      })
    },
  }
}
