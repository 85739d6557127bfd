import { describe, expect, it } from 'vitest'
import { Throttle } from './gate.js'

describe('Throttle', () => {
  it.each([
    [0.5, 8, 4],
    [0.25, 8, 2],
    [1, 8, 8],
    [0, 8, 0],
  ])('factor %s admits evenly: %s offered → %s admitted', (factor, offered, admitted) => {
    const throttle = new Throttle()
    const results = Array.from({ length: offered }, () => throttle.admit(factor))
    expect(results.filter(Boolean)).toHaveLength(admitted)
  })
})
