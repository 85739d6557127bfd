import { describe, expect, it } from 'vitest'
import { createStore } from '../../src/state/index.js'
import { runStoreContract } from './contract.js'

runStoreContract('memory', async (options) => {
  const store = await createStore({ store: 'memory', path: '/nonexistent/ignored' }, options)
  return { store, cleanup: () => store.close() }
})

describe('createStore', () => {
  it('loses everything with the process: a new memory store starts empty', async () => {
    const first = await createStore({ store: 'memory', path: '' })
    await first.putKillSwitch({ scope: 'global', target: '*', actor: 'a', reason: 'r' })
    await first.close()
    const second = await createStore({ store: 'memory', path: '' })
    expect(await second.listKillSwitches()).toEqual([])
    await second.close()
  })
})
