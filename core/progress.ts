// Progress for long work: a bar on a TTY, a structured log line every 2 s otherwise (CI, pods).
import cliProgress from "cli-progress";
import { childLogger } from "./log.ts";

export interface Progress {
  /** Add `n` units (and optionally `bytes` processed). */
  tick(n?: number, bytes?: number): void;
  /** Set the absolute position. */
  update(value: number, bytes?: number): void;
  setTotal(total: number): void;
  stop(summary?: string): void;
}

export interface ProgressOptions {
  label: string;
  total?: number;
  unit?: string;
  /** Force a mode (tests); default: bar when stderr is a TTY. */
  tty?: boolean;
}

function rate(value: number, ms: number): string {
  return ms > 0 ? ((value * 1000) / ms).toFixed(0) : "0";
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

export function startProgress(opts: ProgressOptions): Progress {
  const unit = opts.unit ?? "items";
  const started = Date.now();
  let value = 0;
  let bytes = 0;
  let total = opts.total ?? 0;
  const log = childLogger("progress");
  const tty = opts.tty ?? (process.stderr.isTTY === true && !process.env.CI);

  if (tty) {
    const grow = () => {
      if (value > total) {
        total = value;
        bar.setTotal(total);
      }
    };
    const bar = new cliProgress.SingleBar(
      {
        format: `${opts.label} {bar} {percentage}% | {value}/{total} ${unit} | {rate} ${unit}/s | {mbs} MB/s | {duration_formatted}`,
        stream: process.stderr,
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total || 1, 0, { rate: "0", mbs: "0.0" });
    const payload = () => {
      const ms = Date.now() - started;
      return { rate: rate(value, ms), mbs: ms > 0 ? mb((bytes * 1000) / ms) : "0.0" };
    };
    return {
      tick(n = 1, b = 0) {
        value += n;
        bytes += b;
        grow();
        bar.update(value, payload());
      },
      update(v, b) {
        value = v;
        if (b !== undefined) bytes = b;
        grow();
        bar.update(value, payload());
      },
      setTotal(t) {
        total = t;
        bar.setTotal(t);
      },
      stop(summary) {
        bar.update(value, payload());
        bar.stop();
        if (summary) process.stderr.write(`${summary}\n`);
      },
    };
  }

  let lastLog = started;
  const report = (final: boolean, summary?: string) => {
    const ms = Date.now() - started;
    log.info(
      {
        task: opts.label,
        [unit]: value,
        ...(total ? { total } : {}),
        ...(bytes ? { mb: Number(mb(bytes)) } : {}),
        rate: Number(rate(value, ms)),
        seconds: Number((ms / 1000).toFixed(1)),
        ...(final ? { done: true } : {}),
      },
      summary ?? `${opts.label}${final ? " done" : ""}`,
    );
  };
  const maybeLog = () => {
    const now = Date.now();
    if (now - lastLog >= 2000) {
      lastLog = now;
      report(false);
    }
  };
  return {
    tick(n = 1, b = 0) {
      value += n;
      bytes += b;
      maybeLog();
    },
    update(v, b) {
      value = v;
      if (b !== undefined) bytes = b;
      maybeLog();
    },
    setTotal(t) {
      total = t;
    },
    stop(summary) {
      report(true, summary);
    },
  };
}
