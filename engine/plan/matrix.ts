// The shapes of a task's loop. `matrix:`: named axes, `exclude` and `include`, read the way GitHub
// Actions reads `strategy.matrix`, so a ported workflow expands to the same legs; and
// `forEach: { chunk }`. Pure functions of data, shared by the plan and the run.

/** One leg of a matrix: axis name -> value. */
export type Combination = Record<string, unknown>;

/** A matrix with its axes already rendered to arrays. */
export type MatrixValue = { axes: Record<string, unknown[]>; include: Combination[]; exclude: Combination[] };

const sameValue = (a: unknown, b: unknown): boolean => a === b || JSON.stringify(a) === JSON.stringify(b);

/** Every key of `partial` has the same value in `combination`. */
function matches(combination: Combination, partial: Combination): boolean {
  return Object.entries(partial).every(([key, value]) => Object.hasOwn(combination, key) && sameValue(combination[key], value));
}

/**
 * The legs of a matrix, in GitHub Actions order: the product of the axes (first axis slowest),
 * minus every leg an `exclude` entry matches (all of its keys equal), then each `include` entry
 * added. An include entry extends every leg whose original axis values it does not contradict
 * (values it added earlier may be overwritten); when it extends none, it is a leg of its own.
 * With no axes, each include entry is a leg.
 * @example
 * expandMatrix({ axes: { os: ['linux', 'mac'], node: [18, 20] }, exclude: [{ os: 'mac', node: 18 }],
 *   include: [{ os: 'linux', experimental: true }, { os: 'windows', node: 20 }] })
 * // [{ os: 'linux', node: 18, experimental: true }, { os: 'linux', node: 20, experimental: true },
 * //  { os: 'mac', node: 20 }, { os: 'windows', node: 20 }]
 */
export function expandMatrix(matrix: MatrixValue): Combination[] {
  const names = Object.keys(matrix.axes);
  let product: Combination[] = names.length ? [{}] : [];
  for (const name of names) {
    product = product.flatMap((leg) => matrix.axes[name]!.map((value) => ({ ...leg, [name]: value })));
  }
  const base = product.filter((leg) => !matrix.exclude.some((entry) => matches(leg, entry)));
  const legs = base.map((leg) => ({ ...leg }));
  const added: Combination[] = [];
  for (const entry of matrix.include) {
    // Only the axes' own values decide a match; keys an include brought may be overwritten.
    const original = Object.fromEntries(Object.entries(entry).filter(([key]) => names.includes(key)));
    let extended = false;
    base.forEach((leg, i) => {
      if (!matches(leg, original)) return;
      Object.assign(legs[i]!, entry);
      extended = true;
    });
    if (!extended) added.push({ ...entry });
  }
  return [...legs, ...added];
}

/**
 * How a leg is named in the live view, the report and `--resume`: `test[os=linux,node=20]`.
 * A value that is not a plain word is written as JSON, so names stay unambiguous.
 * @example instanceName('test', { os: 'linux', node: 20 }) // 'test[os=linux,node=20]'
 */
export function instanceName(task: string, leg: Combination): string {
  const parts = Object.entries(leg).map(([key, value]) => `${key}=${formatValue(value)}`);
  return `${task}[${parts.join(',')}]`;
}

function formatValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string' && /^[\w.@/:+-]+$/.test(value)) return value;
  return JSON.stringify(value) ?? 'null';
}

/** `forEach: { chunk: n }`: items grouped n at a time. */
export function chunked(items: unknown[], size?: number): unknown[] {
  if (!size || size <= 1) return items;
  const out: unknown[] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
