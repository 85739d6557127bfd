// Layering rules for src/ (issue #9; STYLE.md "Layout"), checked by `npm test` (npm run lint:deps).
// Dependencies point down: core/ is the leaf; config/ is pure; only the composition root
// (runtime/, main.ts, cli/) knows everything; gates, steering and upstream never reach back into
// the pipeline. Type-only imports count: a type cycle is still a cycle in the design.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'No import cycles, type-only imports included.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'core-is-a-leaf',
      severity: 'error',
      comment: 'core/ holds the shared types and imports nothing else of ours.',
      from: { path: '^src/core/' },
      to: { path: '^src/', pathNot: '^src/core/' },
    },
    {
      name: 'config-is-pure',
      severity: 'error',
      comment: 'config/ (schema, load, env refs, overlays, watch, diff) imports only core/ and the schema and semantic-check fragments of the sections it assembles.',
      from: { path: '^src/config/' },
      to: { path: '^src/', pathNot: ['^src/core/', '^src/config/', '^src/(gates/[a-z-]+|models|resilience|steering/[a-z-]+|telemetry)/(schema|semantic)\\.ts$'] },
    },
    {
      name: 'fragments-are-pure',
      severity: 'error',
      comment: 'A config fragment (schema.ts, semantic.ts of a concern) reads only core/ and other fragments, so config/ and the concerns it assembles form no folder cycle.',
      from: { path: '^src/(gates/[a-z-]+|models|resilience|steering/[a-z-]+|telemetry)/(schema|semantic)\\.ts$' },
      to: { path: '^src/', pathNot: ['^src/core/', '^src/(gates/[a-z-]+|models|resilience|steering/[a-z-]+|telemetry)/(schema|semantic|windows)\\.ts$'] },
    },
    {
      name: 'gates-see-only-core',
      severity: 'error',
      comment: 'A gate imports core/, its own folder, and the config types derived from the schema — never the pipeline, upstream, runtime, another gate, flags or state.',
      from: { path: '^src/gates/([a-z-]+)/' },
      to: { path: '^src/', pathNot: ['^src/core/', '^src/gates/$1/', '^src/config/schema\\.ts$'] },
    },
    {
      name: 'steering-sees-only-core',
      severity: 'error',
      comment: 'Steering imports core/ and itself; its config fragments follow fragments-are-pure instead (they may read other fragments).',
      from: { path: '^src/steering/', pathNot: '^src/steering/[a-z-]+/(schema|semantic)\\.ts$' },
      to: { path: '^src/', pathNot: ['^src/core/', '^src/steering/'] },
    },
    {
      name: 'providers-and-auth-below-the-pipeline',
      severity: 'error',
      comment: 'Adapters are pure translators (core/ and config types); client auth uses adapters, never the pipeline that calls it.',
      from: { path: '^src/(providers|auth)/' },
      to: { path: '^src/(pipeline|routes|upstream|unified|gates|steering|runtime|control|ofrep)/' },
    },
    {
      name: 'providers-never-import-auth',
      severity: 'error',
      from: { path: '^src/providers/' },
      to: { path: '^src/auth/' },
    },
    {
      name: 'upstream-never-reaches-back',
      severity: 'error',
      comment: 'upstream/ executes a plan; it does not know the pipeline, the gates, the routes or the runtime.',
      from: { path: '^src/upstream/' },
      to: { path: '^src/(pipeline|gates|routes|runtime|control|steering|main)' },
    },
    {
      name: 'data-plane-never-imports-control-or-runtime',
      severity: 'error',
      comment: 'The data plane reads one frozen snapshot; it never imports the admin plane or the composition root.',
      from: { path: '^src/(pipeline|routes|gates|steering|upstream|unified|providers|auth|ofrep|resilience|flags|state)/' },
      to: { path: '^src/(control|runtime|cli|main)' },
    },
    {
      name: 'only-the-root-builds',
      severity: 'error',
      comment: 'runtime/ is the composition root: only main.ts, cli/ and the admin plane wiring may import it.',
      from: { path: '^src/', pathNot: ['^src/(runtime|cli)/', '^src/main\\.ts$'] },
      to: { path: '^src/runtime/' },
    },
    {
      name: 'opentelemetry-only-in-the-tracer',
      severity: 'error',
      comment: 'The OpenTelemetry SDK is loaded only when tracing is on: only telemetry/otel-tracer.ts imports it, and only telemetry/tracer.ts imports that (dynamically). Off, no span code is loaded (docs/observability.md).',
      from: { path: '^src/', pathNot: '^src/telemetry/otel-tracer\\.ts$' },
      to: { path: '@opentelemetry/' },
    },
    {
      name: 'the-tracer-is-loaded-by-its-factory',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/telemetry/tracer\\.ts$' },
      to: { path: '^src/telemetry/otel-tracer\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$|^src/emulators/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
}
