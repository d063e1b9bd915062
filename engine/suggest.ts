// "did you mean" for typos in keys, task ids, executors, pools and model aliases.

/** Edit distance (insert, delete, substitute, swap of neighbours), two rows of memory. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        current[j] = Math.min(current[j]!, before[j - 2]! + 1);
      }
    }
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length]!;
}

/**
 * The closest candidate to a mistyped word, if one is close enough to be a likely typo.
 * @example
 * suggest('neds', ['needs', 'uses', 'with']); // 'needs'
 * suggest('zzz', ['needs']); // undefined
 * suggest('rn', ['run', 'plan'], { minEdits: 1 }); // 'run'
 */
export function suggest(word: string, candidates: Iterable<string>, options: { minEdits?: number } = {}): string | undefined {
  // A third of the word, at most three edits: "neds" finds "needs", but "id" never finds "if".
  // Among a few command names one edit is always a likely typo: "rn" finds "run".
  const limit = Math.max(options.minEdits ?? 0, Math.min(3, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (Math.abs(candidate.length - word.length) > limit) continue;
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** ` (did you mean "x"?)` or nothing: the tail every not-found message shares. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const match = suggest(word, candidates);
  return match === undefined ? '' : ` (did you mean "${match}"?)`;
}
