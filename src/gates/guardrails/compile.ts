// `guardrails:` compiled once per snapshot: each enabled detector built with its kinds and entries,
// with its action, fail mode and sides, and the lists the request and answer checks walk.
import type { TextDetector } from './detectors/types.js'
import { createCredentialsDetector, createDenyListDetector, createInjectionDetector, createPiiDetector } from './detectors/index.js'
import type { DetectorKey, GuardrailAction, GuardrailsConfig } from './schema.js'
import type { ErrorCode } from '../../core/errors.js'

export interface CompiledDetector {
  readonly key: DetectorKey
  readonly detector: TextDetector
  readonly action: GuardrailAction
  readonly failMode: 'open' | 'closed'
  /** The refusal's code when it blocks. */
  readonly code: ErrorCode
}

export interface CompiledGuardrails {
  readonly request: readonly CompiledDetector[]
  readonly response: readonly CompiledDetector[]
  readonly size: GuardrailsConfig['size']
  /** The guard model's settings when it is on (its calls are the runtime's: core/classifier.ts). */
  readonly model: GuardrailsConfig['model'] | undefined
  /** The strictest fail mode of the request's detectors: what an unreadable request gets. */
  readonly requestFailMode: 'open' | 'closed'
  readonly responseFailMode: 'open' | 'closed'
}

/** Deny-list entries read from `guardrails.denyList.file` (runtime/guardrail-files.ts). */
export interface DenyEntries {
  readonly words: readonly string[]
  readonly patterns: readonly string[]
}

const CODES: Readonly<Record<DetectorKey, ErrorCode>> = {
  pii: 'SLUICE_ERR_GUARDRAIL_PII',
  credentials: 'SLUICE_ERR_GUARDRAIL_CREDENTIALS',
  injection: 'SLUICE_ERR_GUARDRAIL_INJECTION',
  denyList: 'SLUICE_ERR_GUARDRAIL_DENY_LIST',
}

export function compileGuardrails(config: GuardrailsConfig, file: DenyEntries = { words: [], patterns: [] }): CompiledGuardrails {
  const built: Array<{ key: DetectorKey; detector: TextDetector; settings: GuardrailsConfig[DetectorKey] }> = []
  const { pii, credentials, injection, denyList } = config
  if (pii.enabled && pii.kinds.length > 0) built.push({ key: 'pii', detector: createPiiDetector(pii.kinds), settings: pii })
  if (credentials.enabled && credentials.kinds.length > 0) built.push({ key: 'credentials', detector: createCredentialsDetector(credentials.kinds), settings: credentials })
  if (injection.enabled) built.push({ key: 'injection', detector: createInjectionDetector(), settings: injection })
  const words = [...denyList.words, ...file.words]
  const patterns = [...denyList.patterns, ...file.patterns]
  if (denyList.enabled && words.length + patterns.length > 0) built.push({ key: 'denyList', detector: createDenyListDetector({ words, patterns }), settings: denyList })
  const compiled = (side: 'request' | 'response'): CompiledDetector[] =>
    built
      .filter((b) => b.settings.on.includes(side))
      .map((b) => ({ key: b.key, detector: b.detector, action: b.settings.action, failMode: b.settings.failMode, code: CODES[b.key] }))
  const request = compiled('request')
  const response = compiled('response')
  const strictest = (list: readonly CompiledDetector[]) => (list.some((d) => d.failMode === 'closed') ? 'closed' : 'open')
  const model = config.model.enabled && config.model.target !== undefined ? config.model : undefined
  return { request, response, size: config.size, model, requestFailMode: strictest(request), responseFailMode: strictest(response) }
}
