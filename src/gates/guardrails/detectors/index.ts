// The built-in guardrail detectors (docs/guardrail-detectors.md): pure text scanners that report
// where PII, credentials, prompt-injection phrasing and deny-listed terms are, as offsets.
import type { Finding, TextDetector } from './types.js'

export type { DetectorName, Finding, TextDetector } from './types.js'
export { createPiiDetector, PII_KINDS, type PiiKind } from './pii.js'
export { createCredentialsDetector, CREDENTIAL_KINDS, type CredentialKind } from './credentials.js'
export { createInjectionDetector, INJECTION_RULES, type InjectionRule } from './injection.js'
export { createDenyListDetector, denyListProblems, type DenyListOptions } from './deny-list.js'

/** Every detector's findings on `text`, sorted by start (ties in detector order). */
export function scanAll(detectors: readonly TextDetector[], text: string): Finding[] {
  const findings = detectors.flatMap((detector) => detector.scan(text))
  return findings.length > 1 ? findings.sort((a, b) => a.start - b.start) : findings
}
