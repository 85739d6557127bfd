// Activation sequences: each named bundle of flag → variant from the config, applied in one step.
import { get, Page, Table, Act, usePoll } from '../ui.js'

interface Config {
  activation?: { sequences?: Record<string, Record<string, string>> }
}

export function Activation() {
  const config = usePoll(get<Config>('/v1/config'), 0)
  const sequences = Object.entries(config.data?.activation?.sequences ?? {})
  return (
    <Page title="Activation sequences" error={config.error}>
      <p class="muted">Applying a sequence sets each flag's default variant (and starts, completes or stops the rollouts that name it) in one transaction.</p>
      <Table
        testid="sequences"
        head={['sequence', 'flags → variant', '']}
        empty="No activation sequence is configured."
        rows={sequences.map(([name, flags]) => [
          <b>{name}</b>,
          <code>{Object.entries(flags).map(([flag, variant]) => `${flag} → ${variant}`).join(', ')}</code>,
          <Act label={`Apply ${name}`} method="POST" path={`/v1/activation/${encodeURIComponent(name)}`} />,
        ])}
      />
    </Page>
  )
}
