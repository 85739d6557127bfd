// The facts gathered about one request by the identify step; every later step reads them.
import type { Candidate } from './plan.js'
import type { Experiment, Leg, Mount, VirtualModel } from './target.js'
import type { NativeRequest, Operation, Usage } from './wire.js'

/**
 * Evaluation context for decisions (docs/flags.md), flat as flag targeting reads it (`{"var": "tenant"}`):
 * the known fields below, the client's `attributes` from config, and each `x-sluice-attr-<name>`
 * header as attribute `<name>`. Known fields win over attributes, config attributes over headers.
 */
export interface EvaluationContext {
  readonly targetingKey: string
  readonly tenant: string | undefined
  readonly client: string | undefined
  readonly provider: string
  readonly model: string
  readonly operation: string
  readonly route: string
  readonly stream: boolean
  readonly environment: string
  readonly region: string | undefined
  readonly [attribute: string]: unknown
}

/** Who the client is, as decisions read it (a `clients:` entry from config satisfies it). */
export interface ClientIdentity {
  readonly id: string
  readonly tenant?: string
  readonly attributes: Readonly<Record<string, string | number | boolean>>
}

export interface RequestFacts {
  readonly requestId: string
  /** performance.now() when the request arrived. */
  readonly arrivedAt: number
  /** performance.now() when the whole request body was in hand. */
  readonly bodyReadAt: number
  /** The mount a native request arrived on; for a unified request, its first candidate's. */
  readonly mount: Mount
  /**
   * The client's request: native as sent, or the unified body (translated per candidate later).
   * Replaced only by a guardrail that redacts it, before anything goes upstream.
   */
  request: NativeRequest
  readonly operation: Operation
  readonly client: ClientIdentity | undefined
  readonly context: EvaluationContext
  /** The virtual model a unified request names; undefined for a native request. */
  readonly virtualModel: VirtualModel | undefined
  /**
   * Who may serve the request, in fallback order: a native model's own target and its alternates,
   * or a virtual model's targets. Gates narrow it (core/plan.ts `narrowCandidates`); steering orders it.
   */
  readonly candidates: Candidate[]
  /** A native request names its model: refused when its own candidate is, never moved off it by a gate. */
  readonly pinned: boolean
  /** The running experiment on the native model this request names, if any (its variants' targets are among the candidates, `experimentOnly`). */
  readonly nativeExperiment: Experiment | undefined
  /** x-sluice-force-variant: the experiment variant the client asks for (honoured only if allowed). */
  readonly forceVariant: string | undefined
  /** Headers gates add to the response, forwarded or refused (rate-limit state…). */
  responseHeaders: Record<string, string> | undefined
  /**
   * A unified request's body as the client sent it (OpenAI chat); `request` holds its first
   * candidate's translation. Replaced only by a guardrail that redacts it: the pipeline then
   * translates the redacted body for every candidate.
   */
  unifiedBody?: Buffer
  /** What guardrails found in this request and its answer (set when a guardrail mode is on). */
  guardrails?: GuardrailState
}

/** One guardrail finding: detector, category and offsets into the text it scanned — never the text. */
export interface GuardrailEvent {
  readonly detector: string
  readonly category: string
  readonly side: 'request' | 'response'
  /** What came of it: refused or ended, masked, recorded, would have been refused or masked (log-only), unreadable (the body's shape is unknown), or failed (the guard model gave no verdict). */
  readonly outcome: 'blocked' | 'redacted' | 'logged' | 'would_block' | 'would_redact' | 'unreadable' | 'failed'
  /** Offsets into the text scanned: one string of the request (`segment`, in the order they were found), or the answer's text. */
  readonly start: number
  readonly end: number
  readonly segment?: number
}

/** The guardrail mode a request ran under, and what was found. */
export interface GuardrailState {
  readonly mode: 'log-only' | 'block'
  readonly events: GuardrailEvent[]
}

export function addResponseHeader(facts: RequestFacts, name: string, value: string): void {
  ;(facts.responseHeaders ??= {})[name] = value
}

/** How the request was disposed of, as metrics and the decision record label it. */
export type Disposition = 'allow' | 'deny' | 'error'

/** How a request ended; feeds metrics and the decision log (and later budgets, bandits, circuits). */
export type UsageEstimateReason = 'not_reported' | 'cut'

/** One upstream attempt of an exchange, timed on the monotonic clock (performance.now); kept only when tracing is on. */
export interface AttemptRecord {
  readonly leg: Leg
  readonly startedAt: number
  /** 0 while it runs. */
  endedAt: number
  /** The upstream's HTTP status, 0 when none came (a reset, a timeout). */
  status: number
  /** Why it failed (5xx, 429, timeout, connection …), undefined when its answer was passed on. */
  failure: string | undefined
}

export interface Outcome {
  readonly status: number
  readonly decision: Disposition
  /** SLUICE_ERR_* for Sluice's own answers, else the upstream HTTP status. */
  readonly code: string
  readonly usage: Usage | undefined
  /**
   * Set when `usage` is Sluice's estimate because the answer stated none (docs/usage.md): it
   * ended without (`not_reported`) or was cut before its usage (`cut`).
   */
  readonly usageEstimated?: UsageEstimateReason
  readonly overheadMs: number | undefined
  /** Dispatch to the first upstream body byte. */
  readonly ttftMs: number | undefined
  /** Streams: dispatch to the first event carrying output content (text, a tool-call delta), where the dialect's reader tells. */
  readonly firstContentMs?: number
  readonly upstreamMs: number | undefined
  /** The client went away before the response ended. */
  readonly clientAborted: boolean
  /** The upstream failed after the response had started. */
  readonly upstreamBroken: boolean
  /** The gate that denied the request, if one did. */
  readonly gate?: string
  /** Upstream attempts made (retries and fallbacks included). */
  readonly attempts?: number
  /** Each attempt timed, only when tracing is on (core/tracing.ts, docs/observability.md). */
  readonly attemptLog?: readonly AttemptRecord[]
  /** The target (and native model) whose answer the client got, if any. */
  readonly served?: Leg
  /** True when `served` is not the target the gates checked. */
  readonly fallback?: boolean
}

/** The outcome of a request no upstream answered: Sluice's own status and code (a refusal, a call that never went out). */
export function ownOutcome(status: number, code: string, decision: Disposition = status >= 500 ? 'error' : 'deny'): Outcome {
  return { status, decision, code, usage: undefined, overheadMs: undefined, ttftMs: undefined, upstreamMs: undefined, clientAborted: false, upstreamBroken: false }
}
