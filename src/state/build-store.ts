// Builds a StateStore over any engine: validates every input, turns typed ops into document
// writes with audit rows, decodes documents back into typed values and fans out changes.
import type { AppliedWrite, Commit, OpenEngine, RecordWrite } from './engine.js'
import { StateError } from './errors.js'
import type { Attribution, ChangeItem, FlagOverride, JsonObject, KillSwitch, StateListener, StateOp, StateStore } from '../core/store.js'
import * as v from './validate.js'

export interface StoreOptions {
  /** Stamps `setAt` and audit `at`. Default: the system clock. */
  readonly now?: () => Date
  /** A listener threw; the change is committed regardless. Default: a process warning. */
  readonly onListenerError?: (err: unknown) => void
}

// The namespaces behind the typed helpers; the generic records API may not touch them, so
// nothing bypasses their validation.
const overridesNs = 'overrides'
const killSwitchesNs = 'kill-switches'

// `scope/target`, as in the admin path; `scope` never contains '/', so the first '/' splits it.
const killKey = (scope: string, target: string): string => `${scope}/${target}`

function warnListenerFailed(err: unknown): void {
  process.emitWarning(`state store listener threw: ${err instanceof Error ? err.message : String(err)}`)
}

function recordNamespace(value: unknown): string {
  const namespace = v.namespaceName(value)
  if (namespace === overridesNs || namespace === killSwitchesNs) {
    throw new StateError('invalid_input', `namespace ${namespace} is reserved for its typed methods`)
  }
  return namespace
}

function decodeOverride(value: JsonObject): FlagOverride {
  return v.decodeStored(() => ({ ...v.overrideInput(value), setAt: v.isoTime(value.setAt, 'setAt') }), 'flag override')
}

function decodeKillSwitch(value: JsonObject): KillSwitch {
  return v.decodeStored(() => ({ ...v.killSwitchInput(value), setAt: v.isoTime(value.setAt, 'setAt') }), 'kill switch')
}

function toChangeItem({ namespace, key, value }: AppliedWrite): ChangeItem {
  if (namespace === overridesNs) return { kind: 'override', key, override: value && decodeOverride(value) }
  if (namespace === killSwitchesNs) {
    const split = key.indexOf('/')
    const scope = v.decodeStored(() => v.killScope(key.slice(0, split)), 'kill switch key')
    return { kind: 'kill-switch', scope, target: key.slice(split + 1), killSwitch: value && decodeKillSwitch(value) }
  }
  return { kind: 'record', namespace, key, value }
}

/** Validates one op and turns it into a document write; throws before anything is written. */
function toWrite(op: StateOp, at: string): RecordWrite {
  const action = op.action === undefined ? undefined : v.text(op.action, 'action', { max: 128 })
  const write = (namespace: string, key: string, value: JsonObject | null, by: Attribution, target = key): RecordWrite => {
    const verb = value === null ? 'delete' : 'put'
    return { namespace, key, value, audit: { at, actor: by.actor, reason: by.reason, action: action ?? `${namespace}.${verb}`, target } }
  }
  switch (op.op) {
    case 'put-override': {
      const override = v.overrideInput(op.override)
      return write(overridesNs, override.key, { ...override, setAt: at }, override)
    }
    case 'delete-override':
      return write(overridesNs, v.text(op.key, 'key'), null, v.attribution(op))
    case 'put-kill-switch': {
      const ks = v.killSwitchInput(op.killSwitch)
      return write(killSwitchesNs, killKey(ks.scope, ks.target), { ...ks, setAt: at }, ks)
    }
    case 'delete-kill-switch': {
      const scope = v.killScope(op.scope)
      return write(killSwitchesNs, killKey(scope, v.killTarget(scope, op.target)), null, v.attribution(op))
    }
    case 'put-record':
    case 'delete-record': {
      const namespace = recordNamespace(op.namespace)
      const key = v.text(op.key, 'key')
      const value = op.op === 'put-record' ? v.jsonObject(op.value, 'value') : null
      const written = write(namespace, key, value, v.attribution(op), `${namespace}/${key}`)
      if (op.ifMatch === undefined) return written
      return { ...written, ifMatch: op.ifMatch === null ? null : JSON.stringify(v.jsonObject(op.ifMatch, 'ifMatch')) }
    }
    default:
      throw new StateError('invalid_input', `unknown op ${JSON.stringify((op as { op?: unknown }).op)}`)
  }
}

export async function buildStore(open: OpenEngine, options: StoreOptions = {}): Promise<StateStore> {
  const now = options.now ?? (() => new Date())
  const onListenerError = options.onListenerError ?? warnListenerFailed
  const listeners = new Set<StateListener>()
  let closed = false

  function publish(commit: Commit): void {
    try {
      const change = { revision: commit.revision, items: commit.applied.map(toChangeItem) }
      // A copy, so a listener that unsubscribes itself does not skip its neighbour.
      for (const listener of [...listeners]) {
        try {
          listener(change)
        } catch (err) {
          onListenerError(err)
        }
      }
    } catch (err) {
      // A document that fails to decode (hand-edited, or from a newer replica) must not fail the
      // commit that is already durable; the listener's owner learns of it here.
      onListenerError(err)
    }
  }

  const engine = await open(publish)
  const assertOpen = (): void => {
    if (closed) throw new StateError('closed', 'state store is closed')
  }
  const list = async (namespace: string) => {
    assertOpen()
    // Sorted here, not by each engine: code-unit order, the same everywhere (redis hashes are unordered).
    return (await engine.list(namespace)).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  }
  const commit = async (ops: readonly StateOp[]) => {
    assertOpen()
    if (!Array.isArray(ops)) throw new StateError('invalid_input', 'ops must be an array')
    const at = now().toISOString()
    return engine.commit(ops.map((op) => toWrite(op, at)))
  }

  return {
    kind: engine.kind,
    listOverrides: async () => (await list(overridesNs)).map((r) => decodeOverride(r.value)),
    putOverride: async (override) => {
      const { audit } = await commit([{ op: 'put-override', override }])
      return decodeOverride(audit[0]?.after as JsonObject)
    },
    deleteOverride: async (key, by) =>
      (await commit([{ op: 'delete-override', key, actor: by.actor, reason: by.reason }])).audit.length > 0,
    listKillSwitches: async () => (await list(killSwitchesNs)).map((r) => decodeKillSwitch(r.value)),
    putKillSwitch: async (killSwitch) => {
      const { audit } = await commit([{ op: 'put-kill-switch', killSwitch }])
      return decodeKillSwitch(audit[0]?.after as JsonObject)
    },
    deleteKillSwitch: async (scope, target, by) =>
      (await commit([{ op: 'delete-kill-switch', scope, target, actor: by.actor, reason: by.reason }])).audit.length > 0,
    getRecord: async (namespace, key) => {
      assertOpen()
      return engine.get(recordNamespace(namespace), v.text(key, 'key'))
    },
    listRecords: async (namespace) => list(recordNamespace(namespace)),
    transaction: async (ops) => {
      const { revision, audit } = await commit(ops)
      return { revision, audit }
    },
    appendAudit: async (entry) => {
      assertOpen()
      return engine.appendAudit({
        at: entry.at === undefined ? now().toISOString() : v.isoTime(entry.at, 'at'),
        actor: v.text(entry.actor, 'actor'),
        action: v.text(entry.action, 'action', { max: 128 }),
        target: v.text(entry.target, 'target'),
        before: v.jsonValue(entry.before, 'before'),
        after: v.jsonValue(entry.after, 'after'),
        reason: v.text(entry.reason, 'reason', { max: v.maxReasonLength, empty: true }),
      })
    },
    listAudit: async (query = {}) => {
      assertOpen()
      const since = query.since === undefined ? undefined : v.isoTime(query.since, 'since')
      return engine.listAudit(since, v.auditLimit(query.limit))
    },
    revision: async () => {
      assertOpen()
      return engine.revision()
    },
    subscribe: (listener) => {
      if (closed) return () => {}
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
    health: async () => {
      if (closed) return { ok: false, detail: 'closed' }
      try {
        await engine.health()
        return { ok: true }
      } catch (err) {
        return { ok: false, detail: err instanceof Error ? err.message : String(err) }
      }
    },
    close: async () => {
      if (closed) return
      closed = true
      listeners.clear()
      await engine.close()
    },
  }
}
