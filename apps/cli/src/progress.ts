import { SingleBar } from 'cli-progress';

/** How far a long command is: told of each record it handled. */
export interface Progress {
  add(count: number): void;
  stop(): void;
}

/** Plain lines when stderr is not a terminal: one every this many ms, and one at the end. */
const LINE_EVERY_MS = 5_000;

/**
 * A progress bar with rate and ETA on stderr when it is a terminal (cli-progress); plain
 * lines otherwise (a log, a pipe), so that a redirected run still says how far it is.
 * `total` is what the command expects to handle (the bar's 100 %).
 */
export function startProgress(
  label: string,
  total: number,
  stderr: { write(text: string): unknown; isTTY?: boolean } = process.stderr,
): Progress {
  if (stderr.isTTY === true) {
    const bar = new SingleBar({
      format: `${label} [{bar}] {percentage}% | {value}/{total} | {rate}/s | ETA {eta_formatted}`,
      stream: stderr as NodeJS.WriteStream,
      hideCursor: true,
    });
    let done = 0;
    const started = Date.now();
    bar.start(total, 0, { rate: '0' });
    return {
      add: (count) => {
        done += count;
        bar.update(done, { rate: rateOf(done, started) });
      },
      stop: () => bar.stop(),
    };
  }
  let done = 0;
  const started = Date.now();
  let said = started;
  const line = () => stderr.write(`${label}: ${done}/${total} (${rateOf(done, started)}/s)\n`);
  return {
    add: (count) => {
      done += count;
      if (Date.now() - said >= LINE_EVERY_MS) {
        said = Date.now();
        line();
      }
    },
    stop: () => void line(),
  };
}

const rateOf = (done: number, started: number): string =>
  (done / Math.max(0.001, (Date.now() - started) / 1000)).toFixed(0);
