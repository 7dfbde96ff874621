// The UDP discovery datagrams (protocol doc §3.1, §3.3). A query is three CRLF-terminated lines:
// method, XPath predicate, "<return-port> <query-id>". The reply goes to the query's source
// address but to the *return port* (not the source port), and is the query id, CRLF, and the
// short info XML. The query id is an opaque token the resolver uses to pick its own replies.

export interface ShortinfoQuery {
  predicate: string;
  returnPort: number;
  queryId: string;
}

export function buildShortinfoQuery(query: ShortinfoQuery): Buffer {
  return Buffer.from(`LSL:shortinfo\r\n${query.predicate}\r\n${query.returnPort} ${query.queryId}\r\n`, 'utf8');
}

/**
 * What a liblsl outlet reads: line 1 and line 2 up to `\n`, trimmed of spaces, tabs, CR and LF;
 * then the return port and query id as whitespace-separated tokens. Null if it is not a
 * well-formed `LSL:shortinfo` query (the outlet ignores those).
 */
export function parseShortinfoQuery(datagram: Buffer): ShortinfoQuery | null {
  const text = datagram.toString('utf8');
  const first = text.indexOf('\n');
  if (first < 0 || trimLine(text.slice(0, first)) !== 'LSL:shortinfo') return null;
  const second = text.indexOf('\n', first + 1);
  if (second < 0) return null;
  const predicate = trimLine(text.slice(first + 1, second));
  const [port, queryId] = text.slice(second + 1).trim().split(/\s+/);
  const returnPort = Number(port);
  if (!Number.isInteger(returnPort) || returnPort <= 0 || returnPort > 65535 || !queryId) return null;
  return { predicate, returnPort, queryId };
}

/** The method line of any discovery/service datagram (`LSL:shortinfo`, `LSL:timedata`, …). */
export function datagramMethod(datagram: Buffer): string {
  const head = datagram.subarray(0, 64).toString('latin1');
  const eol = head.indexOf('\n');
  return trimLine(eol < 0 ? head : head.slice(0, eol));
}

export function buildShortinfoReply(queryId: string, shortInfoXml: string): Buffer {
  return Buffer.from(`${queryId}\r\n${shortInfoXml}`, 'utf8');
}

export function parseShortinfoReply(datagram: Buffer): { queryId: string; xml: string } | null {
  const text = datagram.toString('utf8');
  const eol = text.indexOf('\r\n');
  if (eol < 0) return null;
  return { queryId: text.slice(0, eol).trim(), xml: text.slice(eol + 2) };
}

function trimLine(line: string): string {
  return line.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
}
