// Sluice's Google credentials for Vertex AI: a token is refreshed when it nears expiry (the
// emulator grants tokens shorter-lived than the five-minute refresh margin, so every call needs a
// new one), a refused refresh answers 502 SLUICE_ERR_UPSTREAM_AUTH in Google's dialect without
// leaking the key or the signed grant into the log, and Sluice serves again once grants succeed.
import { GoogleGenAI } from '@google/genai'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { CLIENT, startStack, type Stack } from '../support/stack.js'
import { startVertexStack, type VertexStack } from '../support/vertex.js'

let stack: VertexStack | Stack | undefined
afterEach(async () => {
  await stack?.close()
  stack = undefined
})

function generate(s: Stack, contents: string): Promise<unknown> {
  const client = new GoogleGenAI({ vertexai: true, project: 'p', location: 'l', apiKey: CLIENT.credentials.apiKey, httpOptions: { baseUrl: `${s.sluice.dataUrl}/vertex` } })
  return client.models.generateContent({ model: 'gemini-2.0-flash', contents })
}

function upstreamToken(s: VertexStack): string | undefined {
  const value = s.vertex.requests.last()?.headers.authorization
  return typeof value === 'string' ? value : undefined
}

describe('Vertex upstream credentials', () => {
  it('refreshes a token near its expiry and sends the new one; a long-lived one is cached again', async () => {
    const s = await startVertexStack()
    stack = s
    s.tokens.ttlSeconds = 60
    await generate(s, 'first')
    const first = upstreamToken(s)
    await generate(s, 'second')
    const second = upstreamToken(s)
    expect(s.tokens.granted).toBe(2)
    expect(second).toMatch(/^Bearer ya29\./)
    expect(second).not.toBe(first)

    s.tokens.ttlSeconds = 3600
    await generate(s, 'third')
    await generate(s, 'fourth')
    await generate(s, 'fifth')
    expect(s.tokens.granted).toBe(3)
    expect(s.vertex.requests.stats().byOperation.generateContent).toBe(5)
  })

  it('a refused refresh: 502 SLUICE_ERR_UPSTREAM_AUTH in Google\'s shape, nothing upstream, no secret logged; then serves again', async () => {
    const s = await startVertexStack()
    stack = s
    s.tokens.ttlSeconds = 60
    await generate(s, 'before')
    s.tokens.refusing = true
    const calls = s.vertex.requests.stats().byOperation.generateContent ?? 0
    const err = (await generate(s, 'refused').catch((e: unknown) => e)) as { status?: number; message: string }
    expect(err.status).toBe(502)
    expect(err.message).toContain('SLUICE_ERR_UPSTREAM_AUTH')
    expect(s.decisions.at(-1)).toMatchObject({ code: 'SLUICE_ERR_UPSTREAM_AUTH' })
    expect(s.vertex.requests.stats().byOperation.generateContent).toBe(calls)
    const log = s.logLines.join('\n')
    expect(log).toContain('invalid_grant')
    expect(log).not.toContain('PRIVATE KEY')
    expect(log).not.toContain('assertion')
    expect(log).not.toContain('ya29.')

    s.tokens.refusing = false
    await generate(s, 'after')
    expect(s.vertex.requests.stats().byOperation.generateContent).toBe(calls + 1)
  })

  it('without a key file: application default credentials from the metadata server (GCE, Cloud Run, GKE workload identity)', async () => {
    const saved = { ...process.env }
    delete process.env.GOOGLE_APPLICATION_CREDENTIALS
    try {
      const s = await startVertexStack((config) => void delete config.providers.vertex!.credentialsFile)
      stack = s
      // gcp-metadata's documented overrides: where the metadata server is, and skip the GCE probe.
      Object.assign(process.env, { GCE_METADATA_HOST: new URL(s.vertex.url).host, METADATA_SERVER_DETECTION: 'assume-present' })
      await generate(s, 'from the metadata server')
      await generate(s, 'cached')
      expect(s.vertex.requests.stats().byOperation['metadata-token']).toBe(1)
      expect(s.vertex.requests.stats().byOperation.token).toBeUndefined()
      expect(upstreamToken(s)).toMatch(/^Bearer ya29\.emulator-/)
      expect(s.vertex.requests.entries.find((r) => r.operation === 'metadata-token')!.query).toContain('cloud-platform')
    } finally {
      process.env = saved
    }
  })

  it('an unreadable credentials file: 502 SLUICE_ERR_UPSTREAM_AUTH naming the file, not its contents', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-vertex-bad-'))
    const file = join(dir, 'key.json')
    writeFileSync(file, '{"private_key": "-----BEGIN PRIVATE KEY----- not json')
    try {
      stack = await startStack({
        configure(config) {
          config.providers.vertex = { type: 'vertex', mount: '/vertex', endpoint: 'http://127.0.0.1:9', project: 'p', credentialsFile: file }
        },
      })
      const err = (await generate(stack, 'hi').catch((e: unknown) => e)) as { status?: number; message: string }
      expect(err.status).toBe(502)
      const log = stack.logLines.join('\n')
      expect(log).toContain(`cannot read ${file} (not valid JSON)`)
      expect(log).not.toContain('BEGIN PRIVATE KEY')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
