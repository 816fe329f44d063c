/**
 * The commands' one output convention: results on stdout (human text by default, `--json` for machines:
 * one JSON object per line), progress and notes on stderr. Progress knows where it is going: on a
 * terminal a live bar redrawn in place (`\r`), in a log (a file, a pipe, CI) one line at each tenth of
 * the work, so `\r`-joined lines never run together in a log.
 * @module
 */

/** Rows as aligned columns (the first row is the header), two spaces apart; the last column not padded. */
export function columns(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => { widths[i] = Math.max(widths[i] ?? 0, c.length); });
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n');
}

export interface Progress {
  update(done: number): void;
  done(): void;
}

export interface ProgressSink {
  isTTY?: boolean;
  write(s: string): unknown;
}

/** A progress bar for `total` items; `now` is injectable for tests. */
export function progress(label: string, total: number, out: ProgressSink = process.stderr, now: () => number = () => performance.now()): Progress {
  const started = now();
  const tty = out.isTTY === true;
  let lastDraw = -Infinity;
  let lastTenth = -1;
  let current = 0;
  const secs = () => ((now() - started) / 1000).toFixed(1) + ' s';
  const pct = (n: number) => (total ? Math.floor((100 * n) / total) : 100);
  const draw = (n: number) => {
    const width = 24;
    const filled = total ? Math.round((width * n) / total) : width;
    out.write('\r' + label + ' [' + '#'.repeat(filled) + '.'.repeat(width - filled) + '] ' + pct(n) + '% ' + n + '/' + total + ' ' + secs() + '   ');
  };
  return {
    update(n) {
      current = n;
      if (tty) {
        if (now() - lastDraw >= 100 || n >= total) {
          lastDraw = now();
          draw(n);
        }
        return;
      }
      const tenth = total ? Math.floor((10 * n) / total) : 10;
      if (tenth > lastTenth && tenth < 10) {
        lastTenth = tenth;
        out.write(label + ': ' + n + '/' + total + ' (' + pct(n) + '%) ' + secs() + '\n');
      }
    },
    done() {
      if (tty) {
        draw(current);
        out.write('\n');
      } else out.write(label + ': ' + current + '/' + total + ' (' + pct(current) + '%) ' + secs() + ', done\n');
    },
  };
}

/**
 * Progress for work of unknown length (one engine's bench, a self-test run): on a terminal the elapsed
 * seconds tick in place; in a log one line when it starts and one when it ends, with the time it took.
 */
export function ticker(label: string, out: ProgressSink = process.stderr, now: () => number = () => performance.now()): { stop(note?: string): number } {
  const started = now();
  const tty = out.isTTY === true;
  const secs = () => ((now() - started) / 1000).toFixed(tty ? 0 : 1) + ' s';
  let timer: ReturnType<typeof setInterval> | undefined;
  if (tty) {
    out.write(label + ' ...');
    timer = setInterval(() => out.write('\r' + label + ' ... ' + secs()), 1000);
    timer.unref?.();
  } else out.write(label + ' ...\n');
  return {
    stop(note) {
      if (timer) clearInterval(timer);
      const ms = now() - started;
      out.write((tty ? '\r' : '') + label + ': ' + (note ? note + ', ' : '') + 'done in ' + (ms / 1000).toFixed(1) + ' s' + (tty ? '    ' : '') + '\n');
      return ms;
    },
  };
}

/**
 * Progress of several jobs that run side by side (the engine self-tests, two at a time, minutes each):
 * a line when each starts (with how long it took last time, when known), and every `everyMs` a line
 * saying how many are done and which are running for how long. Whole lines only, so the same output
 * reads on a terminal and in a log.
 */
export function jobProgress(label: string, total: number, o: { out?: ProgressSink; everyMs?: number; now?: () => number } = {}): {
  start(name: string, lastMs?: number): void;
  finish(name: string): void;
  /** The heartbeat line (also what the timer prints). */
  line(): string;
  /** More jobs than first counted (a follow-up run). */
  more(n: number): void;
  stop(): void;
} {
  const out = o.out ?? process.stderr;
  const now = o.now ?? (() => Date.now());
  const running: Record<string, number> = {};
  let started = 0;
  let count = total;
  let done = 0;
  const secs = (ms: number) => (ms / 1000).toFixed(0) + ' s';
  const line = () => label + ': ' + done + ' of ' + count + ' done' +
    (Object.keys(running).length ? '; running ' + Object.keys(running).map((n) => n + ' (' + secs(now() - running[n]) + ')').join(', ') : '');
  const timer = o.everyMs ? setInterval(() => out.write(line() + '\n'), o.everyMs) : undefined;
  timer?.unref?.();
  return {
    start(name, lastMs) {
      running[name] = now();
      started++;
      out.write(label + ': [' + started + '/' + count + '] ' + name + ' started' + (lastMs ? ' (took ' + secs(lastMs) + ' last time)' : '') + '\n');
    },
    finish(name) {
      delete running[name];
      done++;
    },
    line,
    more(n) {
      count += n;
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}

/**
 * A log of steps with a live bar under it on a terminal: each line is printed whole (so the scroll-back
 * and a log read the same), and on a terminal a bar `[####....] 12/37` stays on the last line, redrawn
 * after each line and cleared at the end. In a log there is no bar, only the lines.
 */
export function stepLog(label: string, total: number, out: ProgressSink = process.stderr, now: () => number = () => performance.now()): {
  line(text: string): void;
  step(done: number): void;
  done(): void;
} {
  const tty = out.isTTY === true;
  const started = now();
  let current = 0;
  let shown = false;
  const bar = () => {
    const width = 24;
    const filled = total ? Math.round((width * current) / total) : width;
    return label + ' [' + '#'.repeat(filled) + '.'.repeat(width - filled) + '] ' + current + '/' + total + ' ' + ((now() - started) / 1000).toFixed(1) + ' s';
  };
  const clear = () => {
    if (shown) out.write('\r\x1b[K');
    shown = false;
  };
  const draw = () => {
    if (!tty) return;
    out.write(bar());
    shown = true;
  };
  return {
    line(text) {
      clear();
      out.write(text + '\n');
      draw();
    },
    step(n) {
      current = n;
      if (tty) {
        clear();
        draw();
      }
    },
    done() {
      clear();
    },
  };
}
