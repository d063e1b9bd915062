// The shape of a pipeline document once schemas/pipeline.schema.json has accepted it: what
// normalize reads, typed, so the mapping from YAML to Pipeline has no `any` in it. String values
// may still be templates (`{{…}}`) where the schema allows them.
import type { Backoff, BudgetSpec, InputSpec, RatePer, When } from '../types.js';

export type RetryDoc = { attempts?: number; delay?: string; backoff?: Backoff; factor?: number; maxDelay?: string; jitter?: boolean };

export type PoolDoc = {
  concurrency?: number;
  rate?: { limit: number; per: RatePer; burst?: number };
  tokens?: { limit: number; per: RatePer };
  adaptive?: boolean;
  breaker?: { failures: number; cooldown?: string };
};

export type ServiceDoc = { ready: { http?: string; tcp?: string | number; log?: string }; timeout?: string };

export type MatrixDoc = Record<string, unknown[]> & { include?: Array<Record<string, unknown>>; exclude?: Array<Record<string, unknown>> };

export type TaskDoc = {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  needs?: string[];
  when?: When;
  if?: string;
  forEach?: string | unknown[] | { items: unknown; chunk?: number };
  matrix?: MatrixDoc;
  continueOnError?: boolean | string;
  concurrency?: number;
  pool?: string;
  timeout?: string;
  model?: string;
  service?: ServiceDoc;
  once?: boolean;
  priority?: number;
  runsOn?: string[];
  cache?: boolean;
  batch?: boolean;
  description?: string;
  internal?: boolean;
  sources?: string[];
  generates?: string[];
  locks?: string[];
  retry?: RetryDoc;
  tags?: string[];
  env?: Record<string, unknown>;
};

export type PipelineDoc = {
  name?: string;
  description?: string;
  default?: string[];
  dotenv?: string[];
  inputs?: Record<string, InputSpec>;
  env?: Record<string, unknown>;
  concurrency?: number;
  failFast?: boolean;
  pools?: Record<string, PoolDoc>;
  models?: { default?: string; aliases?: Record<string, string>; allocate?: Record<string, string[]> };
  budget?: Partial<BudgetSpec>;
  defaults?: TaskDoc;
  tasks?: Record<string, TaskDoc>;
  outputs?: Record<string, unknown>;
};
