// The facts gathered about one request by the identify step; every later step reads them.
import type { IncomingHttpHeaders } from 'node:http'
import type { ClientConfig } from '../config/schema.js'
import type { Mount } from '../config/snapshot.js'
import type { NativeRequest, Operation, Usage } from '../providers/adapter.js'

/** Evaluation context for decisions (SPEC §4). */
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
  /** From `x-sluice-attr-<name>` headers. */
  readonly attributes: Readonly<Record<string, string>>
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
}

const ATTR_PREFIX = 'x-sluice-attr-'

export function buildContext(
  mount: Mount,
  operation: Operation,
  client: ClientConfig | undefined,
  headers: IncomingHttpHeaders,
  environment: string,
): EvaluationContext {
  const attributes: Record<string, string> = {}
  let user: string | undefined
  for (const name in headers) {
    if (!name.startsWith('x-sluice-')) continue
    const value = headers[name]
    if (typeof value !== 'string') continue
    if (name === 'x-sluice-user') user = value
    else if (name.startsWith(ATTR_PREFIX)) attributes[name.slice(ATTR_PREFIX.length)] = value
  }
  return {
    targetingKey: user ?? client?.id ?? '',
    tenant: client?.tenant,
    client: client?.id,
    provider: mount.name,
    model: operation.model,
    operation: operation.name,
    route: mount.name,
    stream: operation.stream,
    environment,
    region: mount.config.region,
    attributes,
  }
}
