// Jest reporter: once the last test has run, Jest exits by itself unless something a test
// opened is still alive (a socket, a timer, a consumer, a child process) — and then it hangs
// silently until CI's own limit. This watchdog gives it `graceMs` (default 60 s) to exit, then
// says why and exits with 1. Its timer is unref'd: it never keeps the process alive itself.
// Not armed in watch mode, where staying alive is the point.
const { setTimeout } = require('node:timers');

const DEFAULT_GRACE_MS = 60_000;

class ExitWatchdog {
  constructor(globalConfig, options = {}) {
    this.watching = Boolean(globalConfig.watch || globalConfig.watchAll);
    this.graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  }

  onRunComplete() {
    if (this.watching) return;
    const seconds = Math.round(this.graceMs / 1000);
    setTimeout(() => {
      process.stderr.write(
        `\njest exit watchdog: the tests finished ${seconds} s ago but Jest has not exited: ` +
          'handles are open (a socket, timer, consumer, server or child process some test ' +
          'did not close in afterAll/finally). Run the tests again with --detectOpenHandles ' +
          'to see where they were opened. Exiting with 1.\n',
      );
      process.exit(1);
    }, this.graceMs).unref();
  }
}

module.exports = ExitWatchdog;
