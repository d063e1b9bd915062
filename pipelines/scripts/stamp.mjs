// `uses: node` target standing in for a rate-limited API: records when each call arrived.
/** @param {{ n: number }} input */
export function call({ n }) {
  return { n, at: Date.now() };
}

/**
 * The most calls seen in any one-second window, and the time the whole fan-out took: with
 * `rate: { limit: 5, per: second, burst: 2 }` the peak stays near the limit plus the burst.
 * @param {Array<{ at: number }>} calls
 */
export function peakRate(calls) {
  const times = calls.map((c) => c.at).sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i] - times[j] >= 1000) j++;
    peak = Math.max(peak, i - j + 1);
  }
  return { calls: times.length, peakPerSecond: peak, spanMs: times.length ? times.at(-1) - times[0] : 0 };
}
