// Gate 4 (docs/guardrails.md): guardrails on the request's text, and — through the response-side
// hook — on the answer's. The mode is flag `ai.guardrails.mode` for the request's context: `off`
// (nothing runs), `log-only` (findings are recorded and counted, nothing is changed: the request
// goes out and the answer comes back byte for byte), `block` (each finding gets its detector's
// action: block refuses, redact masks the match before the request leaves, log records).
// Fail mode: detectors that cannot read a body follow their own `failMode` (default open); a
// gate that throws follows `gates.guardrails.failMode` (default closed).
import { PASS, type Verdict } from '../../core/decision.js'
import { addResponseHeader, type GuardrailEvent, type GuardrailState, type RequestFacts } from '../../core/facts.js'
import type { GateCheck, GateModule, GateView } from '../../core/gate.js'
import { AnswerGuard } from './answer.js'
import type { CompiledDetector, CompiledGuardrails } from './compile.js'
import { countCheck, countDetector } from './counters.js'
import { ScanCache, type TextFindings } from './scan-cache.js'
import { ModelCheck, type ModelResult } from './model.js'
import type { TextClassifier } from '../../core/classifier.js'
import { bodyKind, requestText, withText, type BodyKind, type TextReplacement } from './text/index.js'

export const GUARDRAILS_MODE_FLAG = 'ai.guardrails.mode'
export const GUARDRAIL_HEADER = 'x-sluice-guardrail'

export interface GuardrailInputs {
  /** Undefined when no detector is enabled. */
  readonly guardrails: CompiledGuardrails | undefined
  /** The guard model's calls through Sluice's upstream path, when `guardrails.model` is on. */
  readonly classifier: TextClassifier | undefined
}

const MODES = new Set(['log-only', 'block'])

/** The mode for this request; anything but the two known values is `off`. */
function modeOf(view: GateView, facts: RequestFacts): GuardrailState['mode'] | undefined {
  const mode = view.variant(GUARDRAILS_MODE_FLAG, 'off', facts.context)
  return MODES.has(mode) ? (mode as GuardrailState['mode']) : undefined
}

/** The body the request's text is read from, and its shape: a unified request's own (OpenAI chat), else the native one. */
function requestBody(facts: RequestFacts): { kind: BodyKind | undefined; bytes: Buffer } {
  if (facts.unifiedBody !== undefined) return { kind: 'openai-chat', bytes: facts.unifiedBody }
  return { kind: bodyKind(facts.mount.config.type, facts.operation.name, facts.operation.model), bytes: facts.request.body }
}

/** The body parsed: as recognition parsed it when it did (a native request, not yet rewritten by anyone), else now. */
function parsed(facts: RequestFacts, bytes: Buffer): unknown {
  if (facts.unifiedBody === undefined && facts.operation.body !== undefined) return facts.operation.body
  try {
    return JSON.parse(bytes.toString('utf8'))
  } catch {
    return undefined
  }
}

interface Span {
  readonly start: number
  readonly end: number
  readonly category: string
}

/** `[REDACTED:<category>]` over each span (overlapping ones merged, the first's category kept). */
function masked(text: string, spans: readonly Span[]): string {
  const sorted = [...spans].sort((a, b) => a.start - b.start)
  let out = ''
  let at = 0
  for (let i = 0; i < sorted.length; i++) {
    const first = sorted[i]!
    let end = first.end
    while (i + 1 < sorted.length && sorted[i + 1]!.start < end) end = Math.max(end, sorted[++i]!.end)
    out += `${text.slice(at, first.start)}[REDACTED:${first.category}]`
    at = end
  }
  return out + text.slice(at)
}

function check(guardrails: CompiledGuardrails, scans: ScanCache, model: ModelCheck | undefined, facts: RequestFacts, view: GateView): Verdict<never> | Promise<Verdict<never>> {
  const mode = modeOf(view, facts)
  if (mode === undefined) return PASS
  const state: GuardrailState = { mode, events: [] }
  facts.guardrails = state
  const { kind, bytes } = requestBody(facts)
  // An operation with no text to check (embeddings, token counts, model lists).
  if (kind === undefined || (guardrails.request.length === 0 && model === undefined && guardrails.size.maxInputTokens === undefined && guardrails.size.maxMessages === undefined)) return PASS
  const body = parsed(facts, bytes)
  const text = body === undefined ? undefined : requestText(kind, body)
  if (text === undefined) return unreadable(guardrails, model, state, mode)

  // What fired without being enforced (the log-only header), made on the first finding.
  let fired: string[] | undefined
  let refusal: { code: CompiledDetector['code']; detail: string } | undefined
  const note = (event: GuardrailEvent, enforced: boolean): void => {
    state.events.push(event)
    if (!enforced) (fired ??= []).push(`${event.detector}:${event.category}`)
  }

  // Size limits: on the request as a whole.
  const { size } = guardrails
  const over = oversize(size, text.messages, text.segments)
  if (over !== undefined) {
    const category = over.startsWith('messages') ? 'messages' : 'input_tokens'
    const block = mode === 'block' && size.action === 'block'
    const outcome = block ? 'blocked' : size.action === 'block' ? 'would_block' : 'logged'
    note({ detector: 'size', category, side: 'request', outcome, start: 0, end: 0 }, block)
    countCheck('size', size.action, mode, outcome, 'request')
    if (block) refusal = { code: 'SLUICE_ERR_GUARDRAIL_SIZE', detail: `Over the limit on ${over}.` }
  }

  let redactions: Map<number, Span[]> | undefined
  // Each text's findings by every detector, looked up once per text (scan-cache.ts).
  const found: (TextFindings | undefined)[] = []
  for (let d = 0; d < guardrails.request.length; d++) {
    const compiled = guardrails.request[d]!
    // A detector's findings all come to the same outcome: its action under this mode.
    const outcome = outcomeOf(mode, compiled.action)
    let matched = false
    for (let i = 0; i < text.segments.length; i++) {
      const segment = text.segments[i]!
      const findings = (found[i] ??= scans.findings(segment.text))[d]!
      if (findings.length === 0) continue
      matched = true
      for (const f of findings) {
        note({ detector: compiled.key, category: f.category, side: 'request', outcome, start: f.start, end: f.end, segment: i }, outcome === 'blocked' || outcome === 'redacted')
        refusal ??= outcome === 'blocked' ? { code: compiled.code, detail: `Found ${f.category} in the request (text ${i}, characters ${f.start}-${f.end}).` } : undefined
      }
      if (outcome === 'redacted') (redactions ??= new Map()).set(i, [...(redactions.get(i) ?? []), ...findings])
    }
    countDetector(compiled, mode, matched ? outcome : 'pass', 'request')
  }
  // Nothing found and no guard model: the common case, done.
  if (state.events.length === 0 && model === undefined) return PASS
  const finish = (): Verdict<never> => {
    if (fired !== undefined) addResponseHeader(facts, GUARDRAIL_HEADER, [...new Set(fired)].join(','))
    if (refusal !== undefined) return { kind: 'deny', code: refusal.code, detail: refusal.detail }
    if (redactions !== undefined) {
      const replacements: TextReplacement[] = []
      for (const [i, spans] of redactions) replacements.push({ path: text.segments[i]!.path, text: masked(text.segments[i]!.text, spans) })
      const redacted = Buffer.from(JSON.stringify(withText(body, replacements)))
      if (facts.unifiedBody !== undefined) facts.unifiedBody = redacted
      else facts.request = { ...facts.request, body: redacted }
    }
    return PASS
  }
  // The guard model last, and only when nothing local refused: it is the one check that costs a call.
  if (model === undefined || refusal !== undefined) return finish()
  // The guard model sees what goes upstream: masked where a detector redacts.
  const asked = text.segments.map((s, i) => (redactions?.has(i) === true ? masked(s.text, redactions.get(i)!) : s.text)).join('\n')
  const judged = model.judge(asked, facts, mode)
  const apply = (result: ModelResult): Verdict<never> => {
    if (result.event !== undefined) note(result.event, result.event.outcome === 'blocked')
    refusal ??= result.refusal
    return finish()
  }
  return judged instanceof Promise ? judged.then(apply) : apply(judged)
}

/** Which size limit the request is over, or undefined; the text is counted only when a token limit is set. */
function oversize(size: CompiledGuardrails['size'], messages: number, segments: readonly { readonly text: string }[]): string | undefined {
  if (size.maxMessages !== undefined && messages > size.maxMessages) return `messages: ${messages} > ${size.maxMessages}`
  if (size.maxInputTokens === undefined) return undefined
  let chars = 0
  for (const segment of segments) chars += segment.text.length
  const tokens = Math.ceil(chars / 4)
  return tokens > size.maxInputTokens ? `input tokens (estimated): ${tokens} > ${size.maxInputTokens}` : undefined
}

/** What a finding comes to: its detector's action, carried out in block mode, only recorded in log-only mode. */
export function outcomeOf(mode: GuardrailState['mode'], action: CompiledDetector['action']): GuardrailEvent['outcome'] {
  if (action === 'log') return 'logged'
  if (mode === 'log-only') return action === 'block' ? 'would_block' : 'would_redact'
  return action === 'block' ? 'blocked' : 'redacted'
}

/** A body no detector can read: its fail mode decides. */
function unreadable(guardrails: CompiledGuardrails, model: ModelCheck | undefined, state: GuardrailState, mode: GuardrailState['mode']): Verdict<never> {
  for (const compiled of guardrails.request) {
    state.events.push({ detector: compiled.key, category: 'unreadable', side: 'request', outcome: 'unreadable', start: 0, end: 0 })
    countCheck(compiled.key, compiled.action, mode, 'unreadable', 'request')
  }
  if (mode === 'block' && (guardrails.requestFailMode === 'closed' || model?.failMode === 'closed')) {
    return { kind: 'deny', code: 'SLUICE_ERR_GUARDRAIL_UNAVAILABLE', detail: 'The request body has a shape the guardrails cannot read.' }
  }
  return PASS
}

export const guardrailsGate: GateModule<GuardrailInputs> = {
  name: 'guardrails',
  failMode: 'closed',
  build({ guardrails, classifier }): GateCheck | undefined {
    if (guardrails === undefined) return undefined
    const model = classifier === undefined || guardrails.model === undefined ? undefined : new ModelCheck(guardrails.model, classifier)
    const scans = new ScanCache(guardrails.request)
    return {
      check: (facts, view) => check(guardrails, scans, model, facts, view),
      wrapSink: (sink, facts, leg) => AnswerGuard.wrap(guardrails, sink, facts, leg),
    }
  },
}
