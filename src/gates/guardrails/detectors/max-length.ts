// An upper bound on how long a match of a regular expression can be, read off its source: what a
// streaming scanner must hold back for a detector built from regexes. Lookarounds and anchors are
// zero-width, a class or an escape is one character (two under the `u` or `v` flag, which can
// match an astral code point), a backreference as long as its group, and `*`, `+` and `{n,}` are
// unbounded (Infinity). The bound can be loose but is never too small.

export function maxMatchLengthOf(pattern: RegExp): number {
  const source = pattern.source
  const unit = pattern.flags.includes('u') || pattern.flags.includes('v') ? 2 : 1
  let i = 0
  /** Each capturing group's bound, by number (from 1) and by name; Infinity until it closes. */
  const groups: number[] = [0]
  const named = new Map<string, number>()

  /** An alternation, up to the `)` that closes the enclosing group or the end. */
  function alternation(): number {
    let longest = 0
    let current = 0
    while (i < source.length && source[i] !== ')') {
      if (source[i] === '|') {
        longest = Math.max(longest, current)
        current = 0
        i++
      } else current += quantified(atom())
    }
    return Math.max(longest, current)
  }

  function atom(): number {
    const char = source[i]!
    if (char === '(') return group()
    if (char === '[') return characterClass()
    if (char === '\\') return escape()
    if (char === '^' || char === '$') {
      i++
      return 0
    }
    const code = source.codePointAt(i)!
    i += code > 0xffff ? 2 : 1
    return char === '.' ? unit : code > 0xffff ? 2 : 1
  }

  function group(): number {
    i++
    const lookaround = source.startsWith('?=', i) || source.startsWith('?!', i) ? 2 : source.startsWith('?<=', i) || source.startsWith('?<!', i) ? 3 : 0
    let number: number | undefined
    let name: string | undefined
    if (lookaround > 0) i += lookaround
    else if (source.startsWith('?:', i)) i += 2
    else {
      if (source.startsWith('?<', i)) {
        name = source.slice(i + 2, source.indexOf('>', i))
        i += name.length + 3
      }
      number = groups.push(Infinity) - 1
    }
    const inner = alternation()
    i++ // the closing parenthesis
    if (number !== undefined) groups[number] = inner
    if (name !== undefined) named.set(name, inner)
    return lookaround > 0 ? 0 : inner
  }

  function characterClass(): number {
    i++
    if (source[i] === '^') i++
    if (source[i] === ']') i++ // `[]` and `[^]`: a literal-looking bracket that closes nothing
    let depth = 1
    while (i < source.length && depth > 0) {
      if (source[i] === '\\') i++
      else if (source[i] === '[' && unit === 2 && pattern.flags.includes('v')) depth++
      else if (source[i] === ']') depth--
      i++
    }
    return unit
  }

  function escape(): number {
    const next = source[i + 1] ?? ''
    i += 2
    if (next === 'b' || next === 'B') return 0
    if (/[1-9]/.test(next)) {
      const digits = /^\d*/.exec(source.slice(i))![0]
      i += digits.length
      return groups[Number(next + digits)] ?? Infinity
    }
    if (next === 'k' && source[i] === '<') {
      const name = source.slice(i + 1, source.indexOf('>', i))
      i += name.length + 2
      return named.get(name) ?? Infinity
    }
    if (next === 'p' || next === 'P') i = source.indexOf('}', i) + 1
    else if (next === 'u' && source[i] === '{') i = source.indexOf('}', i) + 1
    else if (next === 'u') i += 4
    else if (next === 'x') i += 2
    else if (next === 'c') i += 1
    return /[dDwWsSpP]/.test(next) ? unit : next === 'u' ? 2 : 1
  }

  function quantified(length: number): number {
    const times = repetitions()
    if (times === undefined) return length
    if (source[i] === '?') i++ // lazy
    return length === 0 ? 0 : length * times
  }

  /** Reads the quantifier that follows, if any, and answers its upper bound. */
  function repetitions(): number | undefined {
    const char = source[i]
    if (char === '*' || char === '+') {
      i++
      return Infinity
    }
    if (char === '?') {
      i++
      return 1
    }
    const bounds = char === '{' ? /^\{(\d+)(?:(,)(\d*))?\}/.exec(source.slice(i, i + 24)) : null
    if (bounds === null) return undefined // none, or a literal brace
    i += bounds[0].length
    return bounds[2] === undefined ? Number(bounds[1]) : bounds[3] === '' ? Infinity : Number(bounds[3])
  }

  return alternation()
}
