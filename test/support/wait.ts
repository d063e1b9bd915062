// Tests wait on conditions, never on fixed sleeps.

/**
 * Poll until `check` returns true; throws naming `what` after `ms`.
 * @example await waitFor(() => existsSync(file), 'the pid file')
 */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
