// A text classifier behind a model call (the model-based guardrail, docs/guardrails.md): the
// gate asks it about a request's text; the composition root builds it over Sluice's own upstream
// path (pipeline/classify.ts), so the guard model is reached, signed, timed out and priced like
// any target.
import type { RequestFacts } from './facts.js'

export type ClassifierVerdict =
  | { readonly kind: 'safe' }
  | { readonly kind: 'unsafe'; readonly categories: readonly string[] }
  /** No verdict: a timeout, an upstream failure, an answer that says neither, a spent budget. */
  | { readonly kind: 'failed'; readonly reason: string }

export interface TextClassifier {
  /** Never rejects: every failure is a `failed` verdict. */
  classify(text: string, facts: RequestFacts): Promise<ClassifierVerdict>
}
