import { describe, expect, it } from 'vitest'
import type { Refusal } from './decision.js'
import type { RequestFacts } from './facts.js'
import { narrowCandidates } from './narrow.js'
import type { Candidate } from './plan.js'
import type { Target } from './target.js'

const candidate = (id: string): Candidate => ({ target: { id } as Target, model: id })
const facts = (ids: string[], pinned: boolean): RequestFacts => ({ candidates: ids.map(candidate), pinned }) as unknown as RequestFacts
const KILLED: Refusal = { code: 'SLUICE_ERR_KILL_PROVIDER', detail: 'killed' }

describe('narrowCandidates', () => {
  it.each([
    { name: 'nothing refused', ids: ['a', 'b'], refused: [], pinned: false, left: ['a', 'b'], refusal: false },
    { name: 'a fallback dropped, order kept', ids: ['a', 'b', 'c'], refused: ['b'], pinned: true, left: ['a', 'c'], refusal: false },
    { name: 'an unpinned head dropped: the next leads', ids: ['a', 'b'], refused: ['a'], pinned: false, left: ['b'], refusal: false },
    { name: 'a pinned head refused: the request is', ids: ['a', 'b'], refused: ['a'], pinned: true, left: ['a', 'b'], refusal: true },
    { name: 'every candidate refused', ids: ['a', 'b'], refused: ['a', 'b'], pinned: false, left: ['a', 'b'], refusal: true },
  ])('$name', ({ ids, refused, pinned, left, refusal }) => {
    const f = facts(ids, pinned)
    const result = narrowCandidates(f, (c) => (refused.includes(c.target.id) ? KILLED : undefined))
    expect(result).toBe(refusal ? KILLED : undefined)
    expect(f.candidates.map((c) => c.target.id)).toEqual(left)
  })

  it('refuses with the first refused candidate\'s reason', () => {
    const f = facts(['a', 'b'], false)
    const reasons: Record<string, Refusal> = { a: { code: 'SLUICE_ERR_KILL_MODEL' }, b: { code: 'SLUICE_ERR_KILL_PROVIDER' } }
    expect(narrowCandidates(f, (c) => reasons[c.target.id])?.code).toBe('SLUICE_ERR_KILL_MODEL')
  })
})
