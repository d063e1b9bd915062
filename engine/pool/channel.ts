import { BroadcastChannel } from 'node:worker_threads';

/** A BroadcastChannel with the ref/unref Node has had since v15.4 (missing from @types/node 20). */
export type Channel = BroadcastChannel & { ref(): void; unref(): void };

/**
 * Open a channel that does not keep the thread alive: the pool's work does that, not its plumbing.
 * @example const control = openChannel(`${poolId}:control`)
 */
export function openChannel(name: string): Channel {
  const channel = new BroadcastChannel(name) as Channel;
  channel.unref();
  return channel;
}
