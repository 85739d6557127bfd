// The prompt-injection detector: a short, documented list of heuristics for text that tries to
// take over the model — override its instructions, extract its system prompt, switch it into an
// unrestricted persona, or smuggle chat-template tokens and fake instructions into user content.
// Heuristics, not a classifier: they catch the common phrasings and miss paraphrases. Every
// pattern is bounded (`\s{1,3}`, `[^\n]{0,N}`, never `.*`), so a match has a known longest length
// and a scan stays linear in the text.
import { maxMatchLengthOf } from './max-length.js'
import type { Finding, TextDetector } from './types.js'
import { MAX_MATCH_LENGTH_LIMIT } from './types.js'

export interface InjectionRule {
  /** The finding's category. */
  readonly id: string
  readonly description: string
  /** Case-insensitive (flag `i` and no other), bounded, with non-capturing groups only: the detector combines all rules. */
  readonly pattern: RegExp
}

/** One to three whitespace characters between words: bounded, so every match has a longest length. */
const _ = String.raw`\s{1,3}`
const anyOf = (...alternatives: string[]): string => `(?:${alternatives.join('|')})`
/** A case-insensitive pattern: the word-led branches behind one shared `\b`, then any others. */
const pattern = (wordBranches: readonly string[], otherBranches: readonly string[] = []): RegExp =>
  new RegExp([...(wordBranches.length > 0 ? [String.raw`\b(?:${wordBranches.join('|')})`] : []), ...otherBranches].join('|'), 'i')

/** "with no", "without any", "free of all", "have no", before a kind of restriction. */
const WITH_NO = `(?:with${_}(?:no|zero)|without(?:${_}any)?|free${_}(?:of|from)(?:${_}(?:all|any))?|have${_}no)${_}`
/** A restriction phrase that goes on to say what about ("no restrictions on budget") is ordinary. */
const NOT_ON = String.raw`\b(?!${_}(?:on|for|in|to|about)\b)`

export const INJECTION_RULES: readonly InjectionRule[] = [
  {
    id: 'ignore-previous',
    description: 'Tells the model to ignore, disregard or forget the instructions it was given before.',
    pattern: pattern([
      `${anyOf('ignore', 'disregard', 'forget', 'override', 'bypass')}${_}(?:` +
        // … all of the previous instructions, your prior rules, the above system prompt
        `(?:${anyOf('all', 'any', 'each', 'every', 'the', 'of', 'your', 'these', 'those')}${_}){0,3}` +
        `${anyOf('previous', 'prior', 'above', 'earlier', 'preceding', 'foregoing', 'former', 'original', 'initial')}${_}(?:${anyOf('system', 'safety', 'developer')}${_})?` +
        anyOf('instructions?', 'rules', 'prompts?', 'directions', 'directives', 'guidelines', 'guardrails', 'commands', 'constraints') +
        // … all the instructions you were given
        `|(?:all${_})?(?:the${_}|your${_})?${anyOf('instructions', 'rules', 'guidelines')}${_}(?:you${_}(?:got|were${_}given|received|have${_}been${_}given)|given${_}to${_}you)` +
        // … everything you were told, everything above
        `|${anyOf('everything', 'all')}${_}(?:you${_}(?:were|have${_}been)${_}told|(?:written${_})?above|before${_}this)` +
        String.raw`)\b`,
    ]),
  },
  {
    id: 'reveal-system-prompt',
    description: 'Asks the model to reveal, print or repeat its system prompt or hidden instructions.',
    pattern: pattern([
      // reveal your system prompt, show me the hidden instructions, print your initial prompt
      `${anyOf('reveal', 'print', 'show', 'display', 'output', 'repeat', 'recite', 'dump', 'leak', 'disclose', 'share', 'tell', 'give')}${_}(?:(?:me|us)${_})?` +
        `(?:${anyOf('all', 'the', 'your', 'its', 'of', 'full', 'entire', 'complete', 'exact', 'original', 'initial', 'verbatim')}${_}){0,4}` +
        String.raw`(?:system${_}(?:prompt|instructions)|${anyOf('hidden', 'secret', 'initial', 'original', 'internal', 'confidential')}${_}(?:instructions|prompt))\b`,
      // what is your system prompt, what were your original instructions
      String.raw`what${_}(?:is|are|was|were)${_}your${_}(?:${anyOf('original', 'initial', 'exact', 'hidden', 'secret', 'full')}${_}){0,2}(?:system${_}prompt|instructions)\b`,
      // repeat the words above (starting with "You are")
      String.raw`repeat${_}(?:the${_})?(?:words|text|everything)${_}above\b`,
    ]),
  },
  {
    id: 'role-override',
    description: 'Recasts the model as an unrestricted persona: "you are now DAN", developer mode, acting without restrictions.',
    pattern: pattern([
      // you are now DAN, you are an unfiltered AI, you are in developer mode
      `you${_}are${_}(?:now${_})?(?:DAN|an?${_}${anyOf('unrestricted', 'unfiltered', 'uncensored', 'jailbroken')}${_}${anyOf('AI', 'assistant', 'model', 'chatbot', 'version')}|(?:in|running${_}in)${_}developer${_}mode)\\b`,
      // enter developer mode
      String.raw`${anyOf('enter', 'simulate', 'emulate')}${_}(?:the${_})?developer${_}mode\b`,
      // act as ChatGPT with developer mode enabled; act as my grandmother with no restrictions; pretend you have no rules
      String.raw`${anyOf('act', 'behave', 'respond', 'pretend', 'roleplay')}\b[^\n]{0,60}?\b(?:with${_}developer${_}mode${_}enabled\b|${WITH_NO}` +
        `${anyOf('restrictions', 'limits', 'limitations', 'filters', 'rules', 'guidelines', 'censorship', 'boundaries', 'ethics', 'morals')}${NOT_ON})`,
    ]),
  },
  {
    id: 'role-tags',
    description: 'Chat-template control tokens in user text: <|im_start|>, <|system|>, [INST], <<SYS>>, <start_of_turn>, "### System:" at a line start.',
    pattern: pattern(
      [],
      [
        String.raw`<\|${anyOf('im_start', 'im_end', 'im_sep', 'system', 'user', 'assistant', 'endoftext', 'begin_of_text', 'start_header_id', 'end_header_id', 'eot_id')}\|>`,
        String.raw`\[\/?INST\]`,
        String.raw`<<\/?SYS>>`,
        String.raw`<\/?(?:start|end)_of_turn>`,
        // At a line start. The lookbehind follows the hashes, so only a `#` makes the engine look back.
        String.raw`#{2,4}(?<=(?<![^\n])[ \t]{0,3}#{2,4})[ \t]{0,3}(?:system|assistant)[ \t]{0,3}:`,
      ],
    ),
  },
  {
    id: 'jailbreak-keyword',
    description: 'Known jailbreaks by name and catch-phrase: DAN mode, "do anything now", "you are jailbroken", no ethical guidelines.',
    pattern: pattern([
      String.raw`(?:jailbreak|jailbroken)${_}(?:mode|prompt|enabled|activated)\b`,
      String.raw`you(?:${_}are|'re)${_}(?:now${_})?(?:jailbroken|unchained|liberated)\b`,
      String.raw`${anyOf('DAN', 'STAN', 'DUDE', 'AIM', 'BetterDAN', 'AntiGPT')}${_}(?:mode|prompt|jailbreak)\b`,
      // DAN, which stands for "do anything now"
      String.raw`(?:stands${_}for|DAN,?${_}(?:which${_}means|short${_}for))${_}["“']?do${_}anything${_}now\b`,
      String.raw`(?:(?:you${_}have|with)${_}no|without${_}any|free${_}(?:of|from)${_}(?:all|any))${_}(?:ethical|moral)${_}` +
        `${anyOf('guidelines', 'restrictions', 'constraints', 'boundaries', 'limits')}${NOT_ON}`,
    ]),
  },
  {
    id: 'instruction-smuggling',
    description: 'Fake instructions planted in content: "new instructions:", "system override", "note to the AI:", [system message].',
    pattern: pattern(
      [
        String.raw`${anyOf('new', 'real', 'actual', 'true', 'hidden', 'secret', 'override')}${_}(?:system${_})?instructions?\s{0,3}:`,
        String.raw`system${_}override\b`,
        String.raw`(?:begin|start)${_}(?:of${_})?(?:new${_})?system${_}(?:instructions|prompt)\b`,
        String.raw`end${_}of${_}(?:the${_})?(?:system${_}prompt|user${_}input)\b`,
        String.raw`(?:important${_})?(?:note|message|instructions?)${_}(?:to|for)${_}(?:the${_})?${anyOf('AI', 'assistant', 'model', 'LLM', `language${_}model`, 'chatbot')}\s{0,3}:`,
      ],
      [String.raw`\[\s{0,2}(?:system|admin)\s{0,2}(?:message|note|override|instruction)s?\s{0,2}\]`],
    ),
  },
]

/**
 * Splits a source of the form `\b(?:WORDS)` or `\b(?:WORDS)|OTHERS` into WORDS and OTHERS. The
 * word-led parts of all rules then share one `\b`, so V8 tries their alternatives only at word
 * boundaries, and the rest (tokens like `<|im_start|>`) go in a second regex whose first
 * characters are rare: two scans that together cost well under half of one scan per rule.
 */
function splitWordLed(source: string): { words?: string; others?: string } {
  if (!source.startsWith(String.raw`\b(?:`)) return { others: source }
  let depth = 0
  let inClass = false
  for (let i = 2; i < source.length; i++) {
    const char = source[i]
    if (char === '\\') i++
    else if (inClass) inClass = char !== ']'
    else if (char === '[') inClass = true
    else if (char === '(') depth++
    else if (char === ')' && --depth === 0) {
      const rest = source.slice(i + 1)
      if (rest === '') return { words: source.slice(5, i) }
      return rest.startsWith('|') ? { words: source.slice(5, i), others: rest.slice(1) } : { others: source }
    }
  }
  return { others: source }
}

const capturingGroups = (pattern: RegExp): number => new RegExp(`${pattern.source}|`).exec('')!.length - 1

interface Combined {
  readonly pattern: RegExp
  /** Capture group n (from 1) belongs to rule ruleOfGroup[n - 1]. */
  readonly ruleOfGroup: readonly number[]
}

/** One global regex with a capturing group per part, or undefined when there are none. */
function combine(parts: readonly { readonly source: string; readonly rule: number }[], wrap: (alternatives: string) => string): Combined | undefined {
  if (parts.length === 0) return undefined
  return { pattern: new RegExp(wrap(parts.map(({ source }) => `(${source})`).join('|')), 'gi'), ruleOfGroup: parts.map(({ rule }) => rule) }
}

/**
 * Scans for all rules at once: each rule's parts become capturing groups of the two combined
 * regexes, and the group that took part names the rule. Findings never overlap; where two rules
 * match the same text, one finding is kept. Rules must be case-insensitive (`i`, no other flag)
 * and have no capturing groups of their own (use `(?:…)`); otherwise this throws.
 */
export function createInjectionDetector(rules: readonly InjectionRule[] = INJECTION_RULES): TextDetector {
  for (const { id, pattern } of rules) {
    if (pattern.flags.replace(/[gy]/g, '') !== 'i') throw new Error(`injection rule ${id}: flags must be 'i' (got '${pattern.flags}')`)
    if (capturingGroups(pattern) > 0) throw new Error(`injection rule ${id}: use non-capturing groups (?:…)`)
  }
  const parts = rules.map(({ pattern }) => splitWordLed(pattern.source))
  const scans = [
    combine(parts.flatMap(({ words }, rule) => (words === undefined ? [] : [{ source: words, rule }])), (alternatives) => String.raw`\b(?:${alternatives})`),
    combine(parts.flatMap(({ others }, rule) => (others === undefined ? [] : [{ source: others, rule }])), (alternatives) => alternatives),
  ].filter((scan) => scan !== undefined)
  return {
    name: 'injection',
    maxMatchLength: Math.min(MAX_MATCH_LENGTH_LIMIT, Math.max(1, ...rules.map(({ pattern }) => maxMatchLengthOf(pattern)))),
    scan(text) {
      const findings: Finding[] = []
      for (const { pattern, ruleOfGroup } of scans) {
        pattern.lastIndex = 0
        for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
          if (match[0].length === 0) {
            pattern.lastIndex++
            continue
          }
          const group = match.findIndex((value, index) => index > 0 && value !== undefined)
          findings.push({ detector: 'injection', category: rules[ruleOfGroup[group - 1]!]!.id, start: match.index, end: match.index + match[0].length })
        }
      }
      if (findings.length < 2) return findings
      const kept: Finding[] = []
      for (const finding of findings.sort((a, b) => a.start - b.start)) if (finding.start >= (kept.at(-1)?.end ?? 0)) kept.push(finding)
      return kept
    },
  }
}
