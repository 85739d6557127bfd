// Statistics of Sluice's A/B/n experiments (docs/experiment-statistics.md).
// Pure: sufficient statistics in, answers out — no I/O, no clock, no randomness.
export { chanceToBeatControl, type BayesianOptions, type BayesianResult } from './bayesian.js'
export { compareVariants, type CompareOptions, type Comparison, type EffectResults } from './compare.js'
export { effectOf, type Effect } from './effect.js'
export { momentsOf, type Moments } from './moments.js'
export { powerAt, requiredSampleSize, type PowerInput, type PowerResult, type SampleSizeInput, type SampleSizeResult } from './power.js'
export { sequentialRhoSquared, sequentialTest, type SequentialOptions, type SequentialResult } from './sequential.js'
export { sampleRatioMismatch, type SrmOptions, type SrmResult } from './srm.js'
export type { Difference, Interval, MetricKind, Unavailable, UnavailableReason, VariantStats } from './types.js'
export { welchDegreesOfFreedom, welchTest, type FrequentistOptions, type WelchResult } from './welch.js'
