// The two small expression languages a DAG uses: `depends` (task results combined with && || !) and `when`
// (govaluate-style comparisons on already substituted text). Anything outside them is an error, not a guess.
import { CosmoError } from "../../core/errors.ts";

export type Phase = "Pending" | "Running" | "Succeeded" | "Failed" | "Error" | "Skipped" | "Omitted";

type Token = { kind: "op"; value: string } | { kind: "word"; value: string; quoted: boolean };

function tokenize(text: string, where: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (["&&", "||", "==", "!=", "<=", ">="].includes(two)) {
      tokens.push({ kind: "op", value: two });
      i += 2;
    } else if ("()!<>".includes(c)) {
      tokens.push({ kind: "op", value: c });
      i++;
    } else if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw new CosmoError(`${where}: unterminated string in "${text}"`);
      tokens.push({ kind: "word", value: text.slice(i + 1, end), quoted: true });
      i = end + 1;
    } else {
      let j = i;
      while (j < text.length && !/[\s()!<>=&|'"]/.test(text[j]!)) j++;
      if (j === i) throw new CosmoError(`${where}: unexpected "${c}" in "${text}"`);
      tokens.push({ kind: "word", value: text.slice(i, j), quoted: false });
      i = j;
    }
  }
  return tokens;
}

/** Recursive-descent parser shared by both languages: or → and → not → comparison → atom. */
class Parser<V> {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly text: string,
    private readonly where: string,
    private readonly atom: (t: Token & { kind: "word" }) => V,
    private readonly compare: ((op: string, a: V, b: V) => boolean) | null,
    private readonly truthy: (v: V) => boolean,
  ) {}

  parse(): boolean {
    const v = this.or();
    if (this.pos !== this.tokens.length) this.fail(`unexpected "${this.describe(this.tokens[this.pos]!)}"`);
    return v;
  }
  private fail(msg: string): never {
    throw new CosmoError(`${this.where}: ${msg} in "${this.text}"`);
  }
  private describe(t: Token): string {
    return t.value;
  }
  private peek(value: string): boolean {
    const t = this.tokens[this.pos];
    return t?.kind === "op" && t.value === value;
  }
  private or(): boolean {
    let v = this.and();
    while (this.peek("||")) {
      this.pos++;
      const r = this.and();
      v = v || r;
    }
    return v;
  }
  private and(): boolean {
    let v = this.not();
    while (this.peek("&&")) {
      this.pos++;
      const r = this.not();
      v = v && r;
    }
    return v;
  }
  private not(): boolean {
    if (this.peek("!")) {
      this.pos++;
      return !this.not();
    }
    return this.comparison();
  }
  private comparison(): boolean {
    if (this.peek("(")) {
      this.pos++;
      const v = this.or();
      if (!this.peek(")")) this.fail("missing )");
      this.pos++;
      return v;
    }
    const left = this.value();
    const t = this.tokens[this.pos];
    if (t?.kind === "op" && ["==", "!=", "<", ">", "<=", ">="].includes(t.value)) {
      if (!this.compare) this.fail(`comparison "${t.value}" not allowed`);
      this.pos++;
      return this.compare(t.value, left, this.value());
    }
    return this.truthy(left);
  }
  private value(): V {
    const t = this.tokens[this.pos];
    if (t?.kind !== "word") this.fail(t ? `unexpected "${t.value}"` : "unexpected end");
    this.pos++;
    return this.atom(t);
  }
}

/** `when`: both sides are substituted text; numbers compare as numbers, everything else as strings. */
export function evaluateWhen(text: string, where: string): boolean {
  const compare = (op: string, a: string, b: string): boolean => {
    const na = Number(a);
    const nb = Number(b);
    const numeric = a !== "" && b !== "" && !Number.isNaN(na) && !Number.isNaN(nb);
    const [x, y]: [number | string, number | string] = numeric ? [na, nb] : [a, b];
    switch (op) {
      case "==":
        return x === y;
      case "!=":
        return x !== y;
      case "<":
        return x < y;
      case ">":
        return x > y;
      case "<=":
        return x <= y;
      default:
        return x >= y;
    }
  };
  const truthy = (v: string) => {
    if (v === "true") return true;
    if (v === "false") return false;
    throw new CosmoError(`${where}: "${v}" is not a boolean in when "${text}"`);
  };
  return new Parser<string>(tokenize(text, where), text, where, (t) => t.value, compare, truthy).parse();
}

const RESULTS = [
  "Succeeded",
  "Failed",
  "Errored",
  "Skipped",
  "Omitted",
  "Daemoned",
  "AnySucceeded",
  "AllFailed",
] as const;

export interface DependencyState {
  phase: Phase;
  /** continueOn of the dependency: a failure it tolerates still satisfies a bare dependency. */
  continueOn?: { failed?: boolean; error?: boolean };
  /** For fan-out tasks: the phases of the children (AnySucceeded / AllFailed). */
  children?: Phase[];
}

/** Task names referenced by a `depends` expression (for ordering and cycle detection). */
export function dependsNames(text: string, where: string): string[] {
  return tokenize(text, where)
    .filter((t) => t.kind === "word")
    .map((t) => t.value.replace(new RegExp(`\\.(${RESULTS.join("|")})$`), ""));
}

/** Which `T.X` results mention a task's failure (a dependent handles it, so it does not fail the DAG). */
export function handledFailures(text: string, where: string): string[] {
  return tokenize(text, where)
    .filter((t) => t.kind === "word" && /\.(Failed|Errored|AllFailed|AnySucceeded)$/.test(t.value))
    .map((t) => t.value.replace(/\.[A-Za-z]+$/, ""));
}

export function satisfiedBare(d: DependencyState): boolean {
  return (
    d.phase === "Succeeded" ||
    d.phase === "Skipped" ||
    (d.phase === "Failed" && !!d.continueOn?.failed) ||
    (d.phase === "Error" && !!d.continueOn?.error)
  );
}

export function evaluateDepends(text: string, where: string, state: (task: string) => DependencyState): boolean {
  const atom = (t: Token & { kind: "word" }): boolean => {
    const m = new RegExp(`^(.+?)(?:\\.(${RESULTS.join("|")}))?$`).exec(t.value)!;
    const d = state(m[1]!);
    switch (m[2]) {
      case undefined:
        return satisfiedBare(d);
      case "Succeeded":
        return d.phase === "Succeeded";
      case "Failed":
        return d.phase === "Failed";
      case "Errored":
        return d.phase === "Error";
      case "Skipped":
        return d.phase === "Skipped";
      case "Omitted":
        return d.phase === "Omitted";
      case "Daemoned":
        return false;
      case "AnySucceeded":
        return (d.children ?? []).some((p) => p === "Succeeded");
      default:
        return (d.children ?? []).length > 0 && (d.children ?? []).every((p) => p === "Failed");
    }
  };
  return new Parser<boolean>(tokenize(text, where), text, where, atom, null, (v) => v).parse();
}

/** What a retryStrategy `expression` sees of the attempt that just ended (Argo's `lastRetry`). */
export interface LastRetry {
  /** "-1" when the attempt did not end with an exit code (Argo's value for an error). */
  exitCode: string;
  status: "Failed" | "Error";
  /** Seconds the attempt ran. */
  duration: string;
  message: string;
}

/**
 * retryStrategy.expression (expr-lang in Argo) over `lastRetry.*`: comparisons joined by && || ! and parentheses,
 * `asInt(…)` of a variable, quoted strings and numbers. Anything else (e.g. `matches`, `in`) is refused by name,
 * so a template the runner cannot evaluate is never guessed at.
 */
export function evaluateRetryExpression(text: string, last: LastRetry, where: string): boolean {
  // asInt of a numeric text is that number; the comparison below already compares numeric texts as numbers.
  const plain = text.replace(/asInt\(\s*(lastRetry\.[A-Za-z]+)\s*\)/g, "$1");
  const tokens = tokenize(plain, where);
  for (const t of tokens)
    if (
      t.kind === "word" &&
      !t.quoted &&
      !/^(lastRetry\.(exitCode|status|duration|message)|-?\d+(\.\d+)?|true|false)$/.test(t.value)
    )
      throw new CosmoError(
        `${where}: "${t.value}" is not supported in a retry expression (lastRetry.exitCode|status|duration|message, asInt, literals) in "${text}"`,
      );
  const atom = (t: Token & { kind: "word" }): string => {
    const m = !t.quoted && /^lastRetry\.(exitCode|status|duration|message)$/.exec(t.value);
    return m ? last[m[1] as keyof LastRetry] : t.value;
  };
  const compare = (op: string, a: string, b: string) => evaluateWhen(`${quote(a)} ${op} ${quote(b)}`, where);
  const truthy = (v: string) => {
    if (v === "true") return true;
    if (v === "false") return false;
    throw new CosmoError(`${where}: "${v}" is not a boolean in retry expression "${text}"`);
  };
  return new Parser<string>(tokens, text, where, atom, compare, truthy).parse();
}

/** A value as a `when` word: numbers bare (compared as numbers), anything else quoted. */
function quote(v: string): string {
  return v !== "" && !Number.isNaN(Number(v)) ? v : `"${v.replace(/"/g, "'")}"`;
}
