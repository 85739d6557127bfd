import { FlagdCore } from '@openfeature/flagd-core'
import { describe, expect, it } from 'vitest'
import { compareVersions, parseVersion, semVer, SEM_VER_OPERATORS } from './semver.js'

const silent = { error() {}, warn() {}, info() {}, debug() {} }

describe('sem_ver', () => {
  it.each([
    ['1.2.3', '=', '1.2.3', true],
    ['v1.2.3', '=', '1.2.3', true],
    ['1.2.3+build.1', '=', '1.2.3+build.2', true],
    ['1.2.3', '!=', '1.2.4', true],
    ['1.2.3', '<', '1.10.0', true],
    ['1.2.3-alpha', '<', '1.2.3', true],
    ['1.2.3-alpha', '<', '1.2.3-alpha.1', true],
    ['1.2.3-alpha.1', '<', '1.2.3-alpha.beta', true],
    ['1.2.3-beta.2', '<', '1.2.3-beta.11', true],
    ['1.2.3-rc.1', '>', '1.2.3-beta.11', true],
    ['2.0.0', '>=', '2.0.0', true],
    ['1.9.9', '<=', '2.0.0', true],
    ['1', '=', '1.0.0', true],
    ['1.2', '=', '1.2.0', true],
    ['1.5.0', '^', '1.0.0', true],
    ['2.0.0', '^', '1.9.9', false],
    ['1.2.9', '~', '1.2.0', true],
    ['1.3.0', '~', '1.2.0', false],
  ])('%s %s %s is %s', (left, op, right, expected) => {
    expect(semVer([left, op, right])).toBe(expected)
  })

  it.each([
    [['1.2.3', '==', '1.2.3']],
    [['not-a-version', '=', '1.2.3']],
    [['1.2.3.4', '=', '1.2.3']],
    [['01.2.3', '=', '1.2.3']],
    [[null, '=', '1.2.3']],
    [['1.2.3', '=']],
    ['1.2.3'],
  ])('is null (never a throw) for %j', (args) => {
    expect(semVer(args)).toBeNull()
  })

  it('orders pre-releases as SemVer 2.0 §11 lists them', () => {
    const ordered = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0']
    for (let i = 1; i < ordered.length; i++) {
      expect(compareVersions(parseVersion(ordered[i - 1])!, parseVersion(ordered[i])!)).toBe(-1)
    }
  })

  it('answers as flagd-core does for every pair of sample versions and every operator', () => {
    const versions: unknown[] = [
      '1.2.3', 'v1.2.3', 'V1.2.3', 'vv1.2.3', ' 1.2.3 ', '1.2', '1', 'v1', 1, 1.5, '1.2.3-alpha', '1.2.3-alpha.1',
      '1.2.3-alpha.beta', '1.2.3-beta.2', '1.2.3-beta.11', '1.2.3-0', '1.2.3-01', '1.2.3+build.5', '1.2.3-rc.1+b',
      '2.0.0', '0.9.9', '10.0.0', '01.2.3', '1.2.3.4', 'not-a-version', '', '1.2.x', null,
    ]
    const flags = Object.fromEntries(
      SEM_VER_OPERATORS.map((op, i) => [
        `op${i}`,
        {
          state: 'ENABLED',
          variants: { true: 'T', false: 'F', none: 'N' },
          defaultVariant: 'none',
          targeting: { sem_ver: [{ var: 'left' }, op, { var: 'right' }] },
        },
      ]),
    )
    const core = new FlagdCore(undefined, silent)
    core.setConfigurations(JSON.stringify({ flags }))
    const answer = { true: 'T', false: 'F', null: 'N' }
    const disagreements: string[] = []
    SEM_VER_OPERATORS.forEach((op, i) => {
      for (const left of versions) {
        for (const right of versions) {
          const theirs = core.resolveStringEvaluation(`op${i}`, '?', { left, right } as never, silent).value
          const mine = answer[String(semVer([left, op, right])) as keyof typeof answer]
          if (mine !== theirs) disagreements.push(`${JSON.stringify(left)} ${op} ${JSON.stringify(right)}: ${mine} vs ${theirs}`)
        }
      }
    })
    expect(disagreements).toEqual([])
  })
})
