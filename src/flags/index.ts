// The flag engine (docs/flags.md): a pure library over flagd flag definitions. The
// control plane loads and compiles a FlagSet; gates, the admin API and OFREP evaluate against it.
export { builtinFlags, killSwitchFlags, providerFlags, type KillSwitchScope } from './builtins.js'
export {
  changedFlagKeys,
  compileFlagSet,
  validateFlagDefinition,
  type CompileOptions,
  type CompileResult,
  type CompiledFlag,
  type FlagSet,
} from './compile.js'
export { loadFlagSources, parseFlagDocument, type LoadSourcesResult } from './document.js'
export { evaluate, evaluateAll, evaluateAny } from './evaluate.js'
export { watchFlagSources, type FlagSourceWatcher, type FlagWatcherOptions } from './watch.js'
export type {
  EvaluationContext,
  EvaluationErrorCode,
  EvaluationReason,
  EvaluationResult,
  FlagDefinition,
  FlagDocResult,
  FlagDocument,
  FlagMetadata,
  FlagSource,
  FlagType,
  FlagValue,
  FlagValueByType,
  JsonObject,
  JsonValue,
} from './types.js'
