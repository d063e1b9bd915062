const limitKinds = ['requests', 'tokens', 'input-tokens', 'output-tokens'] as const;

/**
 * The scarcest rate limit left, as a fraction 0..1, from `anthropic-ratelimit-<kind>-remaining`
 * over `-limit`; undefined when the response carries none. Adaptive pools slow down on it.
 * @example rateLimitHeadroom(new Headers({ 'anthropic-ratelimit-requests-limit': '50', 'anthropic-ratelimit-requests-remaining': '5' })) // 0.1
 */
export function rateLimitHeadroom(headers: Headers): number | undefined {
  let least: number | undefined;
  for (const kind of limitKinds) {
    const limit = Number(headers.get(`anthropic-ratelimit-${kind}-limit`));
    const remaining = Number(headers.get(`anthropic-ratelimit-${kind}-remaining`));
    if (!(limit > 0) || !Number.isFinite(remaining) || headers.get(`anthropic-ratelimit-${kind}-remaining`) === null) continue;
    const fraction = Math.min(1, Math.max(0, remaining / limit));
    least = least === undefined ? fraction : Math.min(least, fraction);
  }
  return least;
}
