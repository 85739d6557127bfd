// The request scan cache over the real detectors: a text seen before gives what a scan gives
// without running the detectors again; texts past the length cap are scanned every time; the
// cache holds at most SCAN_CACHE_TEXTS texts.
import { describe, expect, it } from 'vitest'
import type { CompiledDetector } from './compile.js'
import { createCredentialsDetector, createPiiDetector } from './detectors/index.js'
import type { TextDetector } from './detectors/types.js'
import { SCAN_CACHE_MAX_TEXT, SCAN_CACHE_TEXTS, ScanCache } from './scan-cache.js'

/** A real detector, with its scans counted. */
function counted(detector: TextDetector): { detector: TextDetector; scans: () => number } {
  let scans = 0
  return {
    detector: { ...detector, scan: (text) => (scans++, detector.scan(text)) },
    scans: () => scans,
  }
}

function compiled(detector: TextDetector): CompiledDetector {
  return { key: detector.name as CompiledDetector['key'], detector, action: 'block', failMode: 'open', code: 'SLUICE_ERR_GUARDRAIL_PII' }
}

describe('ScanCache', () => {
  it('gives the findings a scan gives, and scans a text seen before no more', () => {
    const pii = counted(createPiiDetector())
    const credentials = counted(createCredentialsDetector())
    const cache = new ScanCache([compiled(pii.detector), compiled(credentials.detector)])
    const text = 'Mail jane.doe@example.com the key AKIAQ3EGRN5LP7XKZ2VD, or call +44 20 7946 0958.'
    const first = cache.findings(text)
    expect(first).toEqual([createPiiDetector().scan(text), createCredentialsDetector().scan(text)])
    expect(first[0]!.map((f) => f.category)).toEqual(['email', 'phone'])
    // The same characters in another string, as the next request's body gives them.
    const again = cache.findings(JSON.parse(JSON.stringify(text)) as string)
    expect(again).toEqual(first)
    expect([pii.scans(), credentials.scans()]).toEqual([1, 1])
    expect(cache.findings('nothing here')).toEqual([[], []])
    expect([pii.scans(), credentials.scans()]).toEqual([2, 2])
  })

  it('scans a text longer than the cap every time', () => {
    const pii = counted(createPiiDetector())
    const cache = new ScanCache([compiled(pii.detector)])
    const long = `${'word '.repeat(SCAN_CACHE_MAX_TEXT / 5)}jane.doe@example.com`
    expect(cache.findings(long)[0]!.map((f) => f.category)).toEqual(['email'])
    cache.findings(long)
    expect(pii.scans()).toBe(2)
  })

  it('keeps at most SCAN_CACHE_TEXTS texts, dropping the least recent', () => {
    const pii = counted(createPiiDetector())
    const cache = new ScanCache([compiled(pii.detector)])
    for (let i = 0; i <= SCAN_CACHE_TEXTS; i++) cache.findings(`text ${i}`)
    expect(pii.scans()).toBe(SCAN_CACHE_TEXTS + 1)
    cache.findings(`text ${SCAN_CACHE_TEXTS}`)
    expect(pii.scans()).toBe(SCAN_CACHE_TEXTS + 1)
    cache.findings('text 0')
    expect(pii.scans()).toBe(SCAN_CACHE_TEXTS + 2)
  })
})
