// The scheduler's ready and wait queues: a binary heap, O(log n) push and pop, no allocation
// per operation beyond the backing array's growth.

/**
 * A binary heap; `before(a, b)` is true when `a` must come out before `b`.
 * @example
 * const heap = new Heap<number>((a, b) => a > b);
 * heap.push(1); heap.push(3); heap.push(2);
 * heap.pop(); // 3
 */
export class Heap<T> {
  private readonly items: T[] = [];

  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    let i = items.length;
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(item, items[parent]!)) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = item;
  }

  pop(): T | undefined {
    const items = this.items;
    if (items.length <= 1) return items.pop();
    const top = items[0];
    const last = items.pop() as T;
    // Sift the last item down from the root.
    const n = items.length;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.before(items[right]!, items[left]!) ? right : left;
      if (!this.before(items[child]!, last)) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
    return top;
  }

  /** Every item, in no particular order. */
  values(): readonly T[] {
    return this.items;
  }

  clear(): void {
    this.items.length = 0;
  }
}
