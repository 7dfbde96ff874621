// The XPath 1.0 subset an outlet needs to answer discovery queries (protocol doc §3.2). liblsl
// evaluates the query's predicate as a boolean with the outlet's *full* info `<info>` element as
// context node. Everything liblsl itself generates is `and`-joined `field='literal'` terms; users
// of `resolve_bypred` also write `or`, `not()`, `contains()`, `starts-with()`, `count()`, numeric
// comparisons and paths into `<desc>`, so those are supported too. A predicate we cannot compile
// matches nothing, which is also what liblsl does with an invalid one.
import { stringValue, type XmlElement } from './xmlTree.ts';

type Value = boolean | number | string | XmlElement[];
type Compiled = (context: XmlElement, root: XmlElement) => Value;

export class PredicateSyntaxError extends Error {}

/** A compiled predicate: `matches(infoElement)`. An empty predicate matches everything. */
export interface Predicate {
  matches(info: XmlElement): boolean;
}

export function compilePredicate(source: string): Predicate {
  if (source.trim() === '') return { matches: () => true };
  const parser = new PredicateParser(tokenize(source));
  const expr = parser.parse();
  return {
    matches(info) {
      // Absolute paths (`/info/name`) start from a document node whose child is <info>.
      const documentNode: XmlElement = { name: '#document', attributes: {}, children: [info], text: null };
      return toBoolean(expr(info, documentNode));
    },
  };
}

/** Compiles and evaluates, treating a syntax error as "no match" (liblsl's behaviour). */
export function predicateMatches(source: string, info: XmlElement): boolean {
  try {
    return compilePredicate(source).matches(info);
  } catch {
    return false;
  }
}

/** `name='x'` with the quote that does not occur in `value` (XPath 1.0 has no escapes). */
export function equalsTerm(field: string, value: string): string {
  return value.includes("'") ? `${field}="${value}"` : `${field}='${value}'`;
}

// ---------------------------------------------------------------------------------------------
// Tokens

type Token =
  | { kind: 'op'; text: string }
  | { kind: 'string'; text: string }
  | { kind: 'number'; value: number }
  | { kind: 'name'; text: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i] ?? '';
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const two = source.slice(i, i + 2);
    if (two === '!=' || two === '<=' || two === '>=' || two === '..' || two === '//') {
      tokens.push({ kind: 'op', text: two });
      i += 2;
      continue;
    }
    if ('()=<>,/*-'.includes(ch) || (ch === '.' && !/[0-9]/.test(source[i + 1] ?? ''))) {
      tokens.push({ kind: 'op', text: ch });
      i++;
      continue;
    }
    if (ch === "'" || ch === '"') {
      const end = source.indexOf(ch, i + 1);
      if (end < 0) throw new PredicateSyntaxError('unterminated string literal');
      tokens.push({ kind: 'string', text: source.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    const number = /^(\d+(\.\d*)?|\.\d+)/.exec(source.slice(i));
    if (number) {
      tokens.push({ kind: 'number', value: Number(number[0]) });
      i += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_][\w.-]*/.exec(source.slice(i));
    if (name) {
      // A trailing '-' belongs to a following operator, not to the name.
      const text = name[0].replace(/[-.]+$/, '');
      tokens.push({ kind: 'name', text });
      i += text.length;
      continue;
    }
    throw new PredicateSyntaxError(`unexpected "${ch}" in predicate`);
  }
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Parser (recursive descent over XPath 1.0 precedence: or < and < equality < relational < unary)

class PredicateParser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Compiled {
    const expr = this.or();
    if (this.pos < this.tokens.length) throw new PredicateSyntaxError('unexpected trailing tokens');
    return expr;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private isOp(text: string): boolean {
    const t = this.peek();
    return t !== undefined && t.kind === 'op' && t.text === text;
  }

  private isKeyword(text: string): boolean {
    const t = this.peek();
    return t !== undefined && t.kind === 'name' && t.text === text;
  }

  private expectOp(text: string): void {
    if (!this.isOp(text)) throw new PredicateSyntaxError(`expected "${text}"`);
    this.pos++;
  }

  private or(): Compiled {
    let left = this.and();
    while (this.isKeyword('or')) {
      this.pos++;
      const a = left;
      const b = this.and();
      left = (c, r) => toBoolean(a(c, r)) || toBoolean(b(c, r));
    }
    return left;
  }

  private and(): Compiled {
    let left = this.equality();
    while (this.isKeyword('and')) {
      this.pos++;
      const a = left;
      const b = this.equality();
      left = (c, r) => toBoolean(a(c, r)) && toBoolean(b(c, r));
    }
    return left;
  }

  private equality(): Compiled {
    let left = this.relational();
    while (this.isOp('=') || this.isOp('!=')) {
      const op = (this.tokens[this.pos++] as { text: string }).text as Operator;
      const a = left;
      const b = this.relational();
      left = (c, r) => compare(op, a(c, r), b(c, r));
    }
    return left;
  }

  private relational(): Compiled {
    let left = this.unary();
    while (this.isOp('<') || this.isOp('<=') || this.isOp('>') || this.isOp('>=')) {
      const op = (this.tokens[this.pos++] as { text: string }).text as Operator;
      const a = left;
      const b = this.unary();
      left = (c, r) => compare(op, a(c, r), b(c, r));
    }
    return left;
  }

  private unary(): Compiled {
    if (this.isOp('-')) {
      this.pos++;
      const inner = this.unary();
      return (c, r) => -toNumber(inner(c, r));
    }
    return this.primary();
  }

  private primary(): Compiled {
    const t = this.peek();
    if (!t) throw new PredicateSyntaxError('unexpected end of predicate');
    if (t.kind === 'op' && t.text === '(') {
      this.pos++;
      const inner = this.or();
      this.expectOp(')');
      return inner;
    }
    if (t.kind === 'string') {
      this.pos++;
      return () => t.text;
    }
    if (t.kind === 'number') {
      this.pos++;
      return () => t.value;
    }
    const next = this.tokens[this.pos + 1];
    if (t.kind === 'name' && next?.kind === 'op' && next.text === '(') return this.call(t.text);
    return this.path();
  }

  private call(name: string): Compiled {
    this.pos += 2;
    const args: Compiled[] = [];
    if (!this.isOp(')')) {
      args.push(this.or());
      while (this.isOp(',')) {
        this.pos++;
        args.push(this.or());
      }
    }
    this.expectOp(')');
    const arg = (i: number): Compiled => args[i] ?? ((c) => [c]);
    const arity = (min: number, max: number) => {
      if (args.length < min || args.length > max) throw new PredicateSyntaxError(`${name}() takes ${min}..${max} arguments`);
    };
    switch (name) {
      case 'not': arity(1, 1); return (c, r) => !toBoolean(arg(0)(c, r));
      case 'true': arity(0, 0); return () => true;
      case 'false': arity(0, 0); return () => false;
      case 'boolean': arity(1, 1); return (c, r) => toBoolean(arg(0)(c, r));
      case 'string': arity(0, 1); return (c, r) => toText(arg(0)(c, r));
      case 'number': arity(0, 1); return (c, r) => toNumber(arg(0)(c, r));
      case 'string-length': arity(0, 1); return (c, r) => [...toText(arg(0)(c, r))].length;
      case 'normalize-space': arity(0, 1); return (c, r) => toText(arg(0)(c, r)).trim().replace(/\s+/g, ' ');
      case 'contains': arity(2, 2); return (c, r) => toText(arg(0)(c, r)).includes(toText(arg(1)(c, r)));
      case 'starts-with': arity(2, 2); return (c, r) => toText(arg(0)(c, r)).startsWith(toText(arg(1)(c, r)));
      case 'count': arity(1, 1); return (c, r) => {
        const v = arg(0)(c, r);
        if (!Array.isArray(v)) throw new PredicateSyntaxError('count() needs a node-set');
        return v.length;
      };
      default: throw new PredicateSyntaxError(`unsupported function ${name}()`);
    }
  }

  /** A location path of child steps: `name`, `desc/channels/channel`, `*`, `.`, `/info/type`. */
  private path(): Compiled {
    let absolute = false;
    if (this.isOp('/')) {
      absolute = true;
      this.pos++;
    }
    const steps: string[] = [this.step()];
    while (this.isOp('/')) {
      this.pos++;
      steps.push(this.step());
    }
    return (context, root) => {
      let nodes: XmlElement[] = [absolute ? root : context];
      for (const step of steps) {
        if (step === '.') continue;
        nodes = nodes.flatMap((n) => n.children.filter((ch) => step === '*' || ch.name === step));
      }
      return nodes;
    };
  }

  private step(): string {
    const t = this.peek();
    if (t?.kind === 'name') {
      this.pos++;
      return t.text;
    }
    if (t?.kind === 'op' && (t.text === '*' || t.text === '.')) {
      this.pos++;
      return t.text;
    }
    throw new PredicateSyntaxError('expected a path step');
  }
}

// ---------------------------------------------------------------------------------------------
// XPath 1.0 conversions and comparisons (§3.4 of the XPath 1.0 recommendation)

type Operator = '=' | '!=' | '<' | '<=' | '>' | '>=';

function toBoolean(v: Value): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'string') return v.length > 0;
  return v;
}

function toText(v: Value): string {
  if (Array.isArray(v)) return v[0] ? stringValue(v[0]) : '';
  return String(v);
}

function toNumber(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const text = toText(v).trim();
  return /^-?(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : NaN;
}

function compareAtoms(op: Operator, a: boolean | number | string, b: boolean | number | string): boolean {
  if (op === '=' || op === '!=') {
    let equal: boolean;
    if (typeof a === 'boolean' || typeof b === 'boolean') equal = toBoolean(a) === toBoolean(b);
    else if (typeof a === 'number' || typeof b === 'number') equal = toNumber(a) === toNumber(b);
    else equal = a === b;
    return op === '=' ? equal : !equal;
  }
  const x = toNumber(a);
  const y = toNumber(b);
  switch (op) {
    case '<': return x < y;
    case '<=': return x <= y;
    case '>': return x > y;
    case '>=': return x >= y;
  }
}

function compare(op: Operator, a: Value, b: Value): boolean {
  const aSet = Array.isArray(a);
  const bSet = Array.isArray(b);
  if (aSet && bSet) return a.some((x) => b.some((y) => compareAtoms(op, stringValue(x), stringValue(y))));
  if (aSet) return compareSet(op, a, b as boolean | number | string, false);
  if (bSet) return compareSet(op, b, a, true);
  return compareAtoms(op, a, b as boolean | number | string);
}

/** A node-set against an atom: true if any node compares true (booleans use the set's truth). */
function compareSet(op: Operator, set: XmlElement[], atom: boolean | number | string, setOnRight: boolean): boolean {
  const cmp = (x: boolean | number | string) => (setOnRight ? compareAtoms(op, atom, x) : compareAtoms(op, x, atom));
  if (typeof atom === 'boolean') return cmp(set.length > 0);
  if (typeof atom === 'number') return set.some((n) => cmp(toNumber(stringValue(n))));
  return set.some((n) => cmp(stringValue(n)));
}
