import type { RunEvent, RunReport } from '../types.js';

/** Turns a run's events into text. One per run; `finish` is called once with the report. */
export interface Renderer {
  onEvent(event: RunEvent): void;
  /** Flush, stop any timer, print the closing lines. */
  finish(report?: RunReport): void;
}
