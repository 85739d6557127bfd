// In-process microbenchmark of the built-in guardrail detectors (src/gates/guardrails/detectors):
// what a scan costs per KiB of text for pii, credentials and injection with their default kinds,
// and for all three together, which the product contract bounds at 20 µs/KiB on ordinary
// English/chat text with no findings. Two texts: clean chat prose, assembled from a fixed corpus by
// a seeded generator and checked to produce no findings, and the same prose with a labelled
// positive of every category spliced in about every 400 characters. Each case warms up, then
// times batches of scans for about 250 ms (at most 2,000 batches) and reports the minimum, median
// and p95 of µs per KiB over the batches (the minimum is what the code costs on an idle core; the
// others add whatever else the machine is doing). Run: `npm run build && node dist/bench/guardrail-detectors.js`.
import { FIXTURES } from '../src/gates/guardrails/detectors/fixtures.js'
import { createCredentialsDetector, createInjectionDetector, createPiiDetector, scanAll, type TextDetector } from '../src/gates/guardrails/detectors/index.js'
import { seeded } from './seeded.js'

const TEXTS = 8
const TEXT_CHARS = 4096
const BATCH = 16
const CASE_MS = 250
const MAX_BATCHES = 2000

/** Chat-like sentences: numbers, dates, versions, prices, code and AI-assistant talk, but nothing a detector reports. */
const CORPUS = [
  'Thanks for the quick reply yesterday, that really helped.',
  'I looked at the report you sent on 2024-03-15 and the numbers look right.',
  'The chart on page 3 is off by about 12%, can you check the export?',
  'Does version v2.4.1 round differently than the old one?',
  'The meeting moved to Thursday at 10:30 in room B-204.',
  'Marketing asked for $15,000 more for Q3, which seems like a lot.',
  "I'd suggest we start with half and revisit in September.",
  'Have you read the new onboarding guide yet?',
  'It explains how to set up the development environment and who to ask when something breaks.',
  'Can you summarize the instructions in the README for me?',
  'Write a short system prompt for a support bot that answers billing questions.',
  'The model keeps answering in English even when I write in German.',
  'Here is the stack trace: TypeError: Cannot read properties of undefined (reading "map").',
  'Run `npm install` and then `npm test` to see whether it still fails.',
  'In Python, use `sorted(items, key=lambda x: x[1])` to sort by the second field.',
  'The order should arrive within 3 to 5 business days.',
  'Please keep the answer under 200 words and use bullet points.',
  'What are the rules for carrying liquids in hand luggage?',
  'My flight leaves at 7:45 from gate 22, boarding starts 40 minutes earlier.',
  'The recipe needs 250 g of flour, 2 eggs and a pinch of salt.',
  'Could you translate this paragraph into French, keeping the tone informal?',
  'The build took 14 minutes on CI, up from 9 last week.',
  'We store the settings in config.yaml under the `server` key.',
  'Explain the difference between a process and a thread in simple terms.',
  'The dashboard shows 1,284 active users and 37 open tickets.',
  'I tried restarting the router twice, but the Wi-Fi still drops every hour.',
  'Let me know if you need anything else before the release on 2024-04-02.',
  'The quarterly review is in the shared drive, folder Finance/2024/Q1.',
  'Can you suggest three names for a coffee shop near the station?',
  '## Summary\n- latency is fine\n- memory grew by 8%\n- no new errors',
  'The API returns 429 when we send more than 60 requests per minute.',
  'Give me a regex that matches a date like 2024-05-01.',
  'Ask the assistant to follow the style guide when it drafts the email.',
  'Thanks again, and have a great weekend!',
]

/** Sentences drawn from the corpus until `chars` characters, in paragraphs of 3–6 sentences. */
function sentences(seed: number, chars: number): string[] {
  const random = seeded(seed)
  const out: string[] = []
  let length = 0
  while (length < chars) {
    const sentence = CORPUS[Math.floor(random() * CORPUS.length)]! + (random() < 0.25 ? '\n\n' : ' ')
    out.push(sentence)
    length += sentence.length
  }
  return out
}

const detectors: Readonly<Record<string, readonly TextDetector[]>> = {
  pii: [createPiiDetector()],
  credentials: [createCredentialsDetector()],
  injection: [createInjectionDetector()],
  all: [createPiiDetector(), createCredentialsDetector(), createInjectionDetector()],
}

const positives = (['pii', 'credentials', 'injection'] as const).flatMap((name) => Object.values(FIXTURES[name]).flatMap((category) => category.positives.map((p) => p.text)))
const clean = Array.from({ length: TEXTS }, (_, i) => sentences(i + 1, TEXT_CHARS).join(''))
/** The clean sentences with a positive after every ~400 characters, stepping through the positives so each text mixes detectors. */
const withFindings = Array.from({ length: TEXTS }, (_, i) => {
  let next = i
  let since = 0
  return sentences(i + 1, TEXT_CHARS)
    .map((sentence) => {
      since += sentence.length
      if (since < 400) return sentence
      since = 0
      next += 13
      return `${sentence}${positives[next % positives.length]!}\n`
    })
    .join('')
})

for (const text of clean) {
  const found = scanAll(detectors.all!, text)
  if (found.length > 0) throw new Error(`the clean text has a finding: ${found[0]!.category} ${JSON.stringify(text.slice(found[0]!.start, found[0]!.end))}`)
}

function measure(name: string, texts: readonly string[], label: string): void {
  const scan = detectors[name]!
  const kib = texts.reduce((sum, text) => sum + text.length, 0) / texts.length / 1024
  let findings = 0
  for (let i = 0; i < 500; i++) findings += scanAll(scan, texts[i % texts.length]!).length // warm-up
  const perKiB: number[] = []
  const deadline = performance.now() + CASE_MS
  while (perKiB.length < MAX_BATCHES && performance.now() < deadline) {
    const start = performance.now()
    for (let i = 0; i < BATCH; i++) findings += scanAll(scan, texts[(perKiB.length + i) % texts.length]!).length
    perKiB.push(((performance.now() - start) * 1000) / BATCH / kib)
  }
  perKiB.sort((a, b) => a - b)
  const q = (p: number): string => perKiB[Math.floor(p * (perKiB.length - 1))]!.toFixed(2)
  const perText = scanAll(scan, texts[0]!).length
  process.stdout.write(`${name.padEnd(12)} ${label.padEnd(14)} µs/KiB min ${q(0).padStart(6)}  p50 ${q(0.5).padStart(6)}  p95 ${q(0.95).padStart(6)}  (${perKiB.length} batches of ${BATCH}, ${perText} findings in the first text) [${findings > 0 || perText === 0 ? 'ok' : '?'}]\n`)
}

const kib = (texts: readonly string[]): string => (texts.reduce((sum, text) => sum + text.length, 0) / texts.length / 1024).toFixed(1)
process.stdout.write(`texts: ${TEXTS} clean of ${kib(clean)} KiB, ${TEXTS} with findings of ${kib(withFindings)} KiB\n`)
for (const name of Object.keys(detectors)) measure(name, clean, 'clean')
for (const name of Object.keys(detectors)) measure(name, withFindings, 'with findings')
