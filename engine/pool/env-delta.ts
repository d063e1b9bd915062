// A call's environment crosses to another thread or process as the difference from a base
// environment that side was given once: a run's env is the process's plus a few variables
// (dotenv, the pipeline's env, the watchdog's token), and cloning ~50 variables per call cost
// ~20 µs of a no-op task's ~100. Used by the executor pool and by the shell's spawn helpers.

/**
 * What a call's env adds to or changes in the pool's base env, and what it leaves out; `id`
 * names this delta within its pool, so a thread builds each env once.
 */
export type EnvDelta = { id: number; set: Record<string, string>; unset: string[] };

/**
 * The delta from `base` to `env`, or undefined when they hold the same variables.
 * @example envDelta({ A: '1', B: '2' }, { A: '1', C: '3' }) // { set: { C: '3' }, unset: ['B'] }
 */
export function envDelta(base: Record<string, string>, env: Record<string, string>): Omit<EnvDelta, 'id'> | undefined {
  const set: Record<string, string> = {};
  const unset: string[] = [];
  let same = true;
  for (const key in env) {
    if (base[key] !== env[key]) {
      set[key] = env[key]!;
      same = false;
    }
  }
  for (const key in base) {
    if (!(key in env)) {
      unset.push(key);
      same = false;
    }
  }
  return same ? undefined : { set, unset };
}

/**
 * Deltas computed once per env object (a run's instances share their env objects) against one base.
 * @example const deltaOf = envDeltas(baseEnv); task.ctx.envDelta = deltaOf(ctx.env);
 */
export function envDeltas(base: Record<string, string>): (env: Record<string, string>) => EnvDelta | undefined {
  const known = new WeakMap<object, EnvDelta | 'same'>();
  let lastId = 0;
  return (env) => {
    if (env === base) return undefined;
    let delta = known.get(env);
    if (delta === undefined) {
      const found = envDelta(base, env);
      delta = found ? { id: ++lastId, ...found } : 'same';
      known.set(env, delta);
    }
    return delta === 'same' ? undefined : delta;
  };
}

/**
 * The env a delta stands for, built once per delta id (a few per run) and shared by calls:
 * executors read ctx.env, never change it (frozen, so one that tries fails loudly).
 * @example const envOf = envApplier(baseEnv); const env = envOf(task.ctx.envDelta);
 */
export function envApplier(base: Record<string, string>): (delta: EnvDelta | undefined) => Record<string, string> {
  const built = new Map<number, Record<string, string>>();
  Object.freeze(base);
  return (delta) => {
    if (!delta) return base;
    const key = delta.id;
    let env = built.get(key);
    if (!env) {
      env = { ...base, ...delta.set };
      for (const name of delta.unset) delete env[name];
      Object.freeze(env);
      // Runs of a long --watch make new deltas (a new watchdog token each): keep the recent ones.
      if (built.size >= 64) built.clear();
      built.set(key, env);
    }
    return env;
  };
}

/**
 * The process's environment without its unset entries: a base env.
 * @example const base = processEnv(); const deltaOf = envDeltas(base);
 */
export function processEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  return env;
}
