// The mirror's load without Sluice's mirroring, for `npm run bench:shadow-floor`: a process of its
// own that sends the shadow emulator what a 100 % shadow would (the bench's request on the shadow
// model, evenly paced at the bench rate). `node dist/bench/mirror-load.js <shadow url> <rate>`;
// warms up, prints `ready`, then for each line `<seconds> <offset ms>` on stdin waits the offset,
// runs one paced loop and prints `done <sent>`.
import { createInterface } from 'node:readline'
import { openLoop } from './open-loop.js'
import { BENCH_UPSTREAM_KEY, scenarios } from './scenarios.js'

const [url, rateArg, scenarioName] = process.argv.slice(2)
const rate = Number(rateArg)
const scenario = scenarios.find((s) => s.name === scenarioName) ?? scenarios[0]!
const body = JSON.stringify({ ...(JSON.parse(scenario.body) as object), model: 'gpt-4o' })
const headers = { 'content-type': 'application/json', authorization: `Bearer ${BENCH_UPSTREAM_KEY}` }

await openLoop(url!, headers, body, rate, 1)
process.stdout.write('ready\n')
createInterface({ input: process.stdin }).on('line', (line) => {
  const [seconds, offsetMs] = line.split(' ').map(Number)
  setTimeout(() => {
    void openLoop(url!, headers, body, rate, seconds!).then((result) => process.stdout.write(`done ${result.sent}\n`))
  }, offsetMs)
})
