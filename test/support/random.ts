// Seeded randomness for tests and simulations: mulberry32, a tiny PRNG with a 32-bit state, so a
// failure names a seed that replays it (randomness is injected; only the clock and random are faked).
// The generator is the benchmarks' own (the bench build does not include test/).
export { seeded as seededRandom } from '../../bench/seeded.js'
