// Runs a threshold event's actions. `alert` is delivered here: a JSON POST to every configured
// webhook, retried with exponential backoff. The others change state the pipeline owns (kill
// switches, emergency shutdown), so they are handed to `onAction` for the caller to apply.
// `throttle`, `downgrade` and `disable` also take effect by themselves through the ledger, which
// derives them from spend on every replica; `onAction` is for making them visible and lasting.
import type { BudgetsConfig, ThresholdAction } from './schema.js'
import type { ThresholdEvent } from './thresholds.js'

export interface AlertResult {
  readonly url: string
  readonly delivered: boolean
  readonly attempts: number
  /** The last HTTP status, when there was a response. */
  readonly status?: number
  readonly error?: string
}

export interface ActionRunnerOptions {
  readonly alerts: BudgetsConfig['alerts']
  /** Injected for tests; default the global fetch. */
  readonly fetch?: typeof fetch
  /** Injected for tests; default a timer. */
  readonly sleep?: (ms: number) => Promise<void>
  /** One call per webhook per alert, delivered or given up: for the metric and the audit log. */
  readonly onAlert?: (event: ThresholdEvent, result: AlertResult) => void
  /** Every action but `alert`. */
  readonly onAction?: (event: ThresholdEvent, action: ThresholdAction) => void
}

export interface ActionRunner {
  /** Resolves when every action is done, alerts delivered or given up. Rejects only if a callback throws. */
  run(event: ThresholdEvent): Promise<void>
}

const ignore = (): void => {}
const timer = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref())

/** Worth retrying: no response, a timeout, throttling or a server error. Other 4xx mean the webhook is misconfigured. */
const retryable = (status: number | undefined): boolean => status === undefined || status === 408 || status === 429 || status >= 500

/** How one webhook call is made and retried. */
export interface WebhookDelivery {
  readonly fetch: typeof fetch
  readonly sleep: (ms: number) => Promise<void>
  readonly maxAttempts: number
  readonly baseDelayMs: number
  readonly maxDelayMs: number
  readonly timeoutMs: number
}

/** The alert delivery defaults (the `budgets.alerts` schema's), for alerts sent outside budgets: experiment conclusions, rollouts. */
export const DEFAULT_DELIVERY: WebhookDelivery = {
  fetch: (...args) => fetch(...args),
  sleep: timer,
  maxAttempts: 5,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  timeoutMs: 5000,
}

/** POSTs `body` (JSON) to `url`, retrying what is worth retrying with exponential backoff; never throws. */
export async function deliverWebhook(url: string, headers: Readonly<Record<string, string>>, body: string, eventId: string, options: WebhookDelivery): Promise<AlertResult> {
  const { maxAttempts, baseDelayMs, maxDelayMs, timeoutMs } = options
  let last: { status?: number; error?: string } = {}
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (attempt > 1) await options.sleep(Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 2)))
    try {
      const response = await options.fetch(url, {
        method: 'POST',
        // The event id lets a receiver drop the duplicates that retries can cause.
        headers: { 'content-type': 'application/json', 'x-sluice-event-id': eventId, ...headers },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      })
      await response.body?.cancel()
      if (response.ok) return { url, delivered: true, attempts: attempt, status: response.status }
      last = { status: response.status }
    } catch (error) {
      last = { error: error instanceof Error ? error.message : String(error) }
    }
    if (!retryable(last.status)) return { url, delivered: false, attempts: attempt, ...last }
  }
  return { url, delivered: false, attempts: maxAttempts, ...last }
}

export function createActionRunner(options: ActionRunnerOptions): ActionRunner {
  const onAlert = options.onAlert ?? ignore
  const onAction = options.onAction ?? ignore
  const { webhooks } = options.alerts
  const delivery: WebhookDelivery = { ...options.alerts, fetch: options.fetch ?? fetch, sleep: options.sleep ?? timer }

  function deliver(url: string, headers: Record<string, string>, event: ThresholdEvent): Promise<AlertResult> {
    const body = JSON.stringify({ type: 'sluice.budget.threshold', ...event, at: new Date(event.atMs).toISOString() })
    return deliverWebhook(url, headers, body, event.id, delivery)
  }

  return {
    async run(event) {
      const deliveries: Promise<void>[] = []
      for (const action of event.actions) {
        if (action.action !== 'alert') {
          onAction(event, action)
          continue
        }
        for (const hook of webhooks) {
          deliveries.push(deliver(hook.url, hook.headers, event).then((result) => onAlert(event, result)))
        }
      }
      await Promise.all(deliveries)
    },
  }
}
