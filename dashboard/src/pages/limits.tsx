// Budgets (spend against each limit and its thresholds) and rate limits (the rules and the limiter).
import { fmt, get, json, Page, Table, usePoll, when } from '../ui.js'

interface Budgets {
  enforce: { value: boolean; reason: string }
  budgets: { budget: string; scope: string; value: string; window: string; windowKey: string; windowEndMs: number; limitUsd: number; spentUsd: number; reservedUsd: number; crossed: unknown[] }[]
  sync: { ok: boolean; lastSyncAtMs?: number; error?: string }
}
interface Config {
  budgets?: { limits?: Record<string, { thresholds?: { atPercent: number; actions: { action: string }[] }[] }> }
}

function Spend(props: { spent: number; reserved: number; limit: number; thresholds: number[] }) {
  const share = (v: number) => `${Math.min(100, (v / props.limit) * 100)}%`
  return (
    <span class="spend" title={`${((props.spent / props.limit) * 100).toFixed(1)} % spent`}>
      <span class={props.spent >= props.limit ? 'fill over' : 'fill'} style={{ width: share(props.spent) }} />
      <span class="reserved" style={{ left: share(props.spent), width: share(props.reserved) }} />
      {props.thresholds.map((t) => <span key={t} class="mark" style={{ left: `${Math.min(100, t)}%` }} />)}
    </span>
  )
}

export function Budgets() {
  const list = usePoll(get<Budgets>('/v1/budgets'), 5000)
  const config = usePoll(get<Config>('/v1/config'), 0)
  const thresholds = (name: string): number[] => (config.data?.budgets?.limits?.[name]?.thresholds ?? []).map((t) => t.atPercent)
  const b = list.data
  return (
    <Page title="Budgets" error={list.error}>
      {b !== undefined && (
        <p>
          Enforcement <b>{b.enforce.value ? 'on' : 'off (counting only)'}</b> ({b.enforce.reason}) · store sync {b.sync.ok ? 'ok' : `FAILING ${b.sync.error ?? ''}`}{' '}
          {b.sync.lastSyncAtMs !== undefined && `at ${when(b.sync.lastSyncAtMs)}`}
        </p>
      )}
      <Table
        testid="budgets"
        head={['budget', 'scope', 'window', 'spent / limit', '', 'thresholds', 'crossed', 'window ends']}
        empty="No budget is configured."
        rows={(b?.budgets ?? []).map((x) => [
          x.budget,
          `${x.scope} ${x.value}`,
          x.window,
          `$${x.spentUsd.toPrecision(3)} (+$${x.reservedUsd.toPrecision(3)} reserved) of $${x.limitUsd}`,
          <Spend spent={x.spentUsd} reserved={x.reservedUsd} limit={x.limitUsd} thresholds={thresholds(x.budget)} />,
          thresholds(x.budget).map((t) => `${t} %`).join(', '),
          x.crossed.length === 0 ? '' : <code>{json(x.crossed)}</code>,
          when(x.windowEndMs),
        ])}
      />
    </Page>
  )
}

interface RateLimits {
  enforce: { value: boolean; reason: string }
  shared: boolean
  rules: ({ name: string; key: string[]; match?: unknown } & Record<string, unknown>)[]
  limiter: Record<string, unknown>
}

export function RateLimits() {
  const list = usePoll(get<RateLimits>('/v1/rate-limits'), 5000)
  const r = list.data
  return (
    <Page title="Rate limits" error={list.error}>
      {r !== undefined && (
        <p>
          Enforcement <b>{r.enforce.value ? 'on' : 'off (counting only)'}</b> ({r.enforce.reason}) · {r.shared ? 'shared through Redis' : 'local to this instance'} · limiter{' '}
          <code>{json(r.limiter)}</code>
        </p>
      )}
      <Table
        testid="rate-limits"
        head={['rule', 'key', 'match', 'requests', 'tokens', 'concurrent']}
        empty="No rate-limit rule is configured."
        rows={(r?.rules ?? []).map((rule) => {
          const window = (x: unknown) => (x === undefined ? '' : `${(x as { limit: number }).limit} / ${fmt((x as { windowSeconds: number }).windowSeconds, 0)} s`)
          return [rule.name, rule.key.join(' + '), json(rule.match), window(rule.requests), window(rule.tokens), rule.concurrent === undefined ? '' : String(rule.concurrent)]
        })}
      />
    </Page>
  )
}
