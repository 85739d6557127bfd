// The bandit's decision core: Thompson sampling over Beta posteriors with an
// exploration floor, forgetting, hard constraints and mergeable JSON statistics. Pure; the
// steering gate that wires it to virtual models and the state store lives elsewhere.
export { sampleBeta, sampleGamma, sampleLogGamma, sampleNormal, type Random } from './beta.js'
export { armShares, chooseArm, recordOutcome, type ArmChoice, type ArmShare } from './bandit.js'
export {
  DEFAULT_CONSTRAINTS,
  errorRateOf,
  LATENCY_BUCKETS_MS,
  latencyQuantileOf,
  type ConstraintSettings,
  type Exclusion,
  type Health,
} from './constraints.js'
export { DEFAULT_REWARD_WEIGHTS, rewardOf, rewardWeightsProblems, type RequestOutcome, type RewardWeights } from './reward.js'
export { banditSettings, banditSettingsProblems, DEFAULT_BANDIT_SETTINGS, type BanditOverrides, type BanditSettings } from './settings.js'
export { armAt, armOf, emptyArm, emptyStats, healthAt, mergeStats, parseStats, posteriorAt, type ArmStats, type BanditStats, type ParsedStats } from './state.js'
export { pickArm, pickShares, posteriorMean, type Pick, type PickedBy, type PolicySettings, type Posterior } from './thompson.js'
