/**
 * Stops this process (SIGTERM to itself, so its graceful shutdown runs) once `parentPid` is no
 * longer its parent: the supervisor that started it in a session of its own died without
 * stopping it (SIGKILL, a crash), and nothing else would. Checks every `intervalMs`; the timer
 * never keeps the process alive. Does nothing when `parentPid` is undefined.
 */
export function stopWhenOrphaned(
  parentPid: number | undefined,
  log: (message: string) => void,
  intervalMs = 1_000,
): void {
  if (parentPid === undefined) return;
  const timer = setInterval(() => {
    if (process.ppid === parentPid) return;
    clearInterval(timer);
    log(`the process that started this one (pid ${parentPid}) is gone: stopping`);
    process.kill(process.pid, 'SIGTERM');
  }, intervalMs);
  timer.unref();
}
