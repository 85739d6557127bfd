// Seeded randomness for tests and simulations: mulberry32, a tiny PRNG with a 32-bit state, so a
// failure names a seed that replays it (STYLE: inject randomness; fake only the clock and random).
// The generator is the benchmarks' own (the bench build does not include test/).
export { seeded as seededRandom } from '../../bench/seeded.js'
