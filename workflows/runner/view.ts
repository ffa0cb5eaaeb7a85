// The live per-step status view: a redrawn table on a TTY, one log line per phase change otherwise.
import type { NodeStatus } from "./nodes.ts";

const COLOUR: Record<string, string> = {
  Succeeded: "\x1b[32m",
  Failed: "\x1b[31m",
  Error: "\x1b[31m",
  Running: "\x1b[36m",
  Skipped: "\x1b[90m",
  Omitted: "\x1b[90m",
};

export interface StatusView {
  update(node: NodeStatus, all: readonly NodeStatus[]): void;
  note(line: string): void;
  stop(all: readonly NodeStatus[]): void;
}

function duration(n: NodeStatus, now = Date.now()): string {
  if (!n.startedAt) return "";
  const s = ((n.finishedAt ?? now) - n.startedAt) / 1000;
  return s < 60 ? `${s.toFixed(1)}s` : `${Math.floor(s / 60)}m${Math.round(s % 60)}s`;
}

function leaf(name: string): string {
  const i = name.lastIndexOf("/");
  return i < 0 ? name : name.slice(i + 1);
}

export function formatTable(all: readonly NodeStatus[], colour: boolean, width = 160): string {
  const rows = all.map((n) => [
    `${"  ".repeat(n.depth)}${leaf(n.name)}`,
    n.template,
    n.phase + (n.attempts && n.attempts > 1 && n.attempt ? ` ${n.attempt}/${n.attempts}` : ""),
    duration(n),
    (n.message ?? "").replace(/\s+/g, " "),
  ]);
  const head = ["STEP", "TEMPLATE", "PHASE", "TIME", "MESSAGE"];
  const w = [0, 1, 2, 3].map((i) => Math.max(head[i]!.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[], phase?: string) => {
    const cells = r.slice(0, 4).map((c, i) => c.padEnd(w[i]!));
    if (colour && phase) cells[2] = `${COLOUR[phase] ?? ""}${cells[2]}\x1b[0m`;
    const text = `${cells.join("  ")}  ${r[4]}`;
    return text.length > width + (colour ? 9 : 0) ? `${text.slice(0, width + (colour ? 9 : 0) - 1)}…` : text;
  };
  return [line(head), ...rows.map((r, i) => line(r, all[i]!.phase))].join("\n");
}

export function createStatusView(out: NodeJS.WriteStream = process.stderr): StatusView {
  if (out.isTTY) {
    let drawn = 0;
    let pending: readonly NodeStatus[] = [];
    const notes: string[] = [];
    const draw = () => {
      const text = formatTable(pending, true, (out.columns || 160) - 1);
      if (drawn) out.write(`\x1b[${drawn}A\x1b[J`);
      out.write(`${text}\n`);
      drawn = text.split("\n").length;
    };
    const timer = setInterval(draw, 250);
    return {
      update: (_n, all) => {
        pending = all;
      },
      note: (line) => {
        notes.push(line);
        out.write(`note: ${line}\n`);
      },
      stop: (all) => {
        clearInterval(timer);
        pending = all;
        draw();
      },
    };
  }
  const last = new Map<string, string>();
  return {
    update: (n) => {
      // A container's first attempt starting says nothing new after "Running".
      if (n.phase === "Running" && n.attempt === 1 && !n.message && last.has(n.id)) return;
      const key = `${n.phase}|${n.attempt ?? ""}|${n.message ?? ""}`;
      if (last.get(n.id) === key) return;
      last.set(n.id, key);
      const time = new Date().toISOString().slice(11, 19);
      out.write(
        `${time} ${n.phase.padEnd(9)} ${n.name}${n.template ? ` (${n.template})` : ""}${n.attempts && n.attempts > 1 && n.attempt ? ` attempt ${n.attempt}/${n.attempts}` : ""}${n.message ? `: ${n.message}` : ""}\n`,
      );
    },
    note: (line) => out.write(`note: ${line}\n`),
    stop: () => {},
  };
}
