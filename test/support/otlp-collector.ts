// A minimal OpenTelemetry collector for tests: a real HTTP server on 127.0.0.1 taking OTLP/HTTP
// JSON exports at POST /v1/traces (gzip or not), keeping every span with its resource's
// attributes, ids in hex as OTLP/JSON carries them.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'

export type AttributeValue = string | number | boolean

export interface CollectedSpan {
  readonly traceId: string
  readonly spanId: string
  /** '' for a root span. */
  readonly parentSpanId: string
  readonly name: string
  /** OTLP SpanKind: 2 SERVER, 3 CLIENT. */
  readonly kind: number
  readonly startNs: bigint
  readonly endNs: bigint
  readonly attributes: Record<string, AttributeValue>
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  readonly status: number
  readonly resource: Record<string, AttributeValue>
}

export interface Collector {
  readonly url: string
  readonly spans: CollectedSpan[]
  /** Export requests received, with their content-type and headers. */
  readonly requests: Array<{ path: string; headers: Record<string, string | string[] | undefined> }>
  close(): Promise<void>
}

interface OtlpKeyValue {
  key: string
  value: { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number }
}

function attributes(list: OtlpKeyValue[] | undefined): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {}
  for (const { key, value } of list ?? []) {
    if (value.stringValue !== undefined) out[key] = value.stringValue
    else if (value.intValue !== undefined) out[key] = Number(value.intValue)
    else if (value.boolValue !== undefined) out[key] = value.boolValue
    else if (value.doubleValue !== undefined) out[key] = value.doubleValue
  }
  return out
}

export async function startCollector(): Promise<Collector> {
  const spans: CollectedSpan[] = []
  const requests: Collector['requests'] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      requests.push({ path: req.url ?? '', headers: req.headers })
      let body = Buffer.concat(chunks)
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body)
      if (req.method !== 'POST' || req.url !== '/v1/traces' || !String(req.headers['content-type']).startsWith('application/json')) {
        res.writeHead(400).end()
        return
      }
      const document = JSON.parse(body.toString('utf8')) as {
        resourceSpans?: Array<{ resource?: { attributes?: OtlpKeyValue[] }; scopeSpans?: Array<{ spans?: Array<Record<string, unknown>> }> }>
      }
      for (const rs of document.resourceSpans ?? []) {
        const resource = attributes(rs.resource?.attributes)
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            spans.push({
              traceId: String(s.traceId),
              spanId: String(s.spanId),
              parentSpanId: typeof s.parentSpanId === 'string' ? s.parentSpanId : '',
              name: String(s.name),
              kind: Number(s.kind),
              startNs: BigInt(String(s.startTimeUnixNano)),
              endNs: BigInt(String(s.endTimeUnixNano)),
              attributes: attributes(s.attributes as OtlpKeyValue[] | undefined),
              status: Number((s.status as { code?: number } | undefined)?.code ?? 0),
              resource,
            })
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    spans,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
