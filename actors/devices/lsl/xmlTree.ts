// A small XML element tree: enough to read any stream info an outlet sends (liblsl writes it with
// pugixml) and to print ours in pugixml's exact layout, so our info is byte-identical to liblsl's
// for the same values. Attributes are kept but LSL does not use them; mixed content, namespaces
// and DTDs are not interpreted.

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /**
   * Text content, or null when the element has no text node. The difference is visible in
   * pugixml's output: `<v4address></v4address>` (empty text node) versus `<desc />` (none).
   */
  text: string | null;
}

export class XmlSyntaxError extends Error {}

export function element(name: string, text: string | null = null, children: XmlElement[] = []): XmlElement {
  return { name, attributes: {}, children, text };
}

export function childElement(parent: XmlElement, name: string): XmlElement | undefined {
  return parent.children.find((c) => c.name === name);
}

export function childText(parent: XmlElement, name: string): string | undefined {
  const child = childElement(parent, name);
  return child ? stringValue(child) : undefined;
}

/** XPath's string-value: the concatenated text of the element and its descendants. */
export function stringValue(node: XmlElement): string {
  if (node.children.length === 0) return node.text ?? '';
  return (node.text ?? '') + node.children.map(stringValue).join('');
}

// ---------------------------------------------------------------------------------------------
// Printing (pugixml's format_default: one tab per level, `\n` line ends, declaration first)

export function printXmlDocument(root: XmlElement): string {
  return `<?xml version="1.0"?>\n${printElement(root, 0)}`;
}

function printElement(node: XmlElement, depth: number): string {
  const indent = '\t'.repeat(depth);
  const attrs = Object.entries(node.attributes)
    .map(([k, v]) => ` ${k}="${escapeText(v).replace(/"/g, '&quot;')}"`)
    .join('');
  if (node.children.length === 0) {
    if (node.text === null) return `${indent}<${node.name}${attrs} />\n`;
    return `${indent}<${node.name}${attrs}>${escapeText(node.text)}</${node.name}>\n`;
  }
  const inner = node.children.map((c) => printElement(c, depth + 1)).join('');
  return `${indent}<${node.name}${attrs}>\n${inner}${indent}</${node.name}>\n`;
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// ---------------------------------------------------------------------------------------------
// Parsing

/** Parses a document and returns its root element. Throws XmlSyntaxError on malformed input. */
export function parseXml(source: string): XmlElement {
  const parser = new Parser(source);
  return parser.document();
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;

class Parser {
  private pos = 0;
  constructor(private readonly src: string) {}

  document(): XmlElement {
    let root: XmlElement | null = null;
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.src.length) break;
      if (this.src.startsWith('<?', this.pos)) this.skipPast('?>');
      else if (this.src.startsWith('<!--', this.pos)) this.skipPast('-->');
      else if (this.src.startsWith('<!', this.pos)) this.skipPast('>');
      else if (this.src[this.pos] === '<') {
        if (root) throw new XmlSyntaxError('more than one root element');
        root = this.element();
      } else throw new XmlSyntaxError(`text outside the root element at ${this.pos}`);
    }
    if (!root) throw new XmlSyntaxError('no root element');
    return root;
  }

  private element(): XmlElement {
    this.expect('<');
    const name = this.name();
    const node: XmlElement = { name, attributes: {}, children: [], text: null };
    for (;;) {
      this.skipSpace();
      if (this.src.startsWith('/>', this.pos)) {
        this.pos += 2;
        return node;
      }
      if (this.src[this.pos] === '>') {
        this.pos++;
        break;
      }
      const attr = this.name();
      this.skipSpace();
      this.expect('=');
      this.skipSpace();
      const quote = this.src[this.pos];
      if (quote !== '"' && quote !== "'") throw new XmlSyntaxError(`unquoted attribute at ${this.pos}`);
      const end = this.src.indexOf(quote, this.pos + 1);
      if (end < 0) throw new XmlSyntaxError('unterminated attribute');
      node.attributes[attr] = decodeEntities(this.src.slice(this.pos + 1, end));
      this.pos = end + 1;
    }
    let text = '';
    let sawText = false;
    for (;;) {
      if (this.pos >= this.src.length) throw new XmlSyntaxError(`unterminated <${name}>`);
      if (this.src.startsWith('</', this.pos)) {
        this.pos += 2;
        const closing = this.name();
        if (closing !== name) throw new XmlSyntaxError(`</${closing}> closes <${name}>`);
        this.skipSpace();
        this.expect('>');
        break;
      }
      if (this.src.startsWith('<!--', this.pos)) this.skipPast('-->');
      else if (this.src.startsWith('<![CDATA[', this.pos)) {
        const end = this.src.indexOf(']]>', this.pos);
        if (end < 0) throw new XmlSyntaxError('unterminated CDATA');
        text += this.src.slice(this.pos + 9, end);
        sawText = true;
        this.pos = end + 3;
      } else if (this.src.startsWith('<?', this.pos)) this.skipPast('?>');
      else if (this.src[this.pos] === '<') node.children.push(this.element());
      else {
        const end = this.src.indexOf('<', this.pos);
        const raw = this.src.slice(this.pos, end < 0 ? this.src.length : end);
        text += decodeEntities(raw);
        sawText = true;
        this.pos += raw.length;
      }
    }
    // Like pugixml's default, whitespace-only text between child elements is layout, not content.
    if (node.children.length > 0) node.text = text.trim() === '' ? null : text;
    // `<a></a>` counts as an empty text node (printed back the same way), `<a />` as none.
    else node.text = sawText ? text : '';
    return node;
  }

  private name(): string {
    NAME.lastIndex = this.pos;
    const m = NAME.exec(this.src);
    if (!m) throw new XmlSyntaxError(`expected a name at ${this.pos}`);
    this.pos += m[0].length;
    return m[0];
  }

  private expect(ch: string): void {
    if (this.src[this.pos] !== ch) throw new XmlSyntaxError(`expected "${ch}" at ${this.pos}`);
    this.pos++;
  }

  private skipSpace(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos] ?? '')) this.pos++;
  }

  private skipPast(terminator: string): void {
    const end = this.src.indexOf(terminator, this.pos);
    if (end < 0) throw new XmlSyntaxError(`missing "${terminator}"`);
    this.pos = end + terminator.length;
  }
}

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);/g, (_, ent: string) => {
    switch (ent) {
      case 'lt': return '<';
      case 'gt': return '>';
      case 'amp': return '&';
      case 'quot': return '"';
      case 'apos': return "'";
      default:
        return String.fromCodePoint(ent[1] === 'x' ? parseInt(ent.slice(2), 16) : parseInt(ent.slice(1), 10));
    }
  });
}
