// The facts gathered about one request by the identify step; every later step reads them.
import type { IncomingHttpHeaders } from 'node:http'
import type { ClientConfig } from '../config/schema.js'
import type { Mount } from '../config/snapshot.js'
import type { Lease } from '../gates/gate.js'
import type { Leg } from '../upstream/attempt.js'
import type { NativeRequest, Operation, Usage } from '../providers/adapter.js'

/**
 * Evaluation context for decisions (SPEC §4), flat as flag targeting reads it (`{"var": "tenant"}`):
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

export interface RequestFacts {
  readonly requestId: string
  /** performance.now() when the request arrived. */
  readonly arrivedAt: number
  /** performance.now() when the whole request body was in hand. */
  readonly bodyReadAt: number
  readonly mount: Mount
  readonly request: NativeRequest
  readonly operation: Operation
  readonly client: ClientConfig | undefined
  readonly context: EvaluationContext
  /** Headers gates add to the response, forwarded or refused (rate-limit state…). */
  responseHeaders: Record<string, string> | undefined
  /** What gates reserved; settled once when the request ends. */
  leases: Lease[] | undefined
  /** A budget `downgrade` action's cheaper model (same provider) the request goes to instead. */
  downgradeTo?: string
}

export function addResponseHeader(facts: RequestFacts, name: string, value: string): void {
  ;(facts.responseHeaders ??= {})[name] = value
}

export function addLease(facts: RequestFacts, lease: Lease): void {
  ;(facts.leases ??= []).push(lease)
}

export type Decision = 'allow' | 'deny' | 'error'

/** How a request ended; feeds metrics and the decision log (and later budgets, bandits, circuits). */
export interface Outcome {
  readonly status: number
  readonly decision: Decision
  /** SLUICE_ERR_* for Sluice's own answers, else the upstream HTTP status. */
  readonly code: string
  readonly usage: Usage | undefined
  readonly overheadMs: number | undefined
  readonly ttftMs: number | undefined
  readonly upstreamMs: number | undefined
  /** The client went away before the response ended. */
  readonly clientAborted: boolean
  /** The upstream failed after the response had started. */
  readonly upstreamBroken: boolean
  /** The gate that denied the request, if one did. */
  readonly gate?: string
  /** Upstream attempts made (retries and fallbacks included). */
  readonly attempts?: number
  /** The target (and native model) whose answer the client got, if any. */
  readonly served?: Leg
  /** True when `served` is not the target the gates checked. */
  readonly fallback?: boolean
}

const ATTR_PREFIX = 'x-sluice-attr-'

/** `route` is the mount's name for native requests and the virtual model's for unified ones. */
export function buildContext(
  mount: Mount,
  operation: Operation,
  client: ClientConfig | undefined,
  headers: IncomingHttpHeaders,
  environment: string,
  route: string = mount.name,
): EvaluationContext {
  const context: Record<string, unknown> = {}
  let user: string | undefined
  for (const name in headers) {
    if (!name.startsWith('x-sluice-')) continue
    const value = headers[name]
    if (typeof value !== 'string') continue
    if (name === 'x-sluice-user') user = value
    else if (name.startsWith(ATTR_PREFIX)) context[name.slice(ATTR_PREFIX.length)] = value
  }
  // Attributes from config are trusted; a header cannot override them.
  if (client !== undefined) for (const name in client.attributes) context[name] = client.attributes[name]
  context.targetingKey = user ?? client?.id ?? ''
  context.tenant = client?.tenant
  context.client = client?.id
  context.provider = mount.name
  context.model = operation.model
  context.operation = operation.name
  context.route = route
  context.stream = operation.stream
  context.environment = environment
  context.region = mount.config.region
  return context as EvaluationContext
}
