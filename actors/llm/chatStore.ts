// Reads and writes of the chat history (chatSchema.ts), as prepared statements made once. Every
// method is one statement or one transaction, so a request that fails part-way leaves nothing
// behind. Shapes are the reference's (`SessionSummary`, `StoredMessage`, `StoredToolCall`);
// times are unix milliseconds. Methods answer null or false for an id that does not exist, and
// the routes turn that into 404.
import type { Statement } from 'better-sqlite3';
import { openChatDb, type ChatDb } from './chatSchema.ts';

/** One row of the session lists (the reference's sidebar summary, plus `archived`). */
export interface SessionSummary {
  id: number;
  /** Set by `rename`; empty until then. */
  title: string;
  /** The first 80 characters of the session's first user message. */
  preview: string;
  created_at: number;
  message_count: number;
  archived: boolean;
}

export interface StoredToolCall {
  id: number;
  message_id: number;
  tool: string;
  status: string;
  detail: string | null;
  tool_call_id: string | null;
  /** Any JSON value, as sent. */
  args: unknown;
  result: unknown;
  created_at: number;
}

export interface StoredMessage {
  id: number;
  session_id: number;
  role: string;
  content: string;
  thinking: string | null;
  created_at: number;
  tool_calls: StoredToolCall[];
}

export interface NewToolCall {
  tool: string;
  status: string;
  detail?: string | null | undefined;
  tool_call_id?: string | null | undefined;
  args?: unknown;
  result?: unknown;
}

export interface NewMessage {
  role: string;
  content: string;
  thinking?: string | null | undefined;
  tool_calls?: readonly NewToolCall[] | undefined;
}

/** How long a session's preview is (the reference's sidebar width). */
const PREVIEW_CHARS = 80;

const SUMMARY = `
  s.id,
  coalesce(s.title, '') AS title,
  coalesce(substr((SELECT content FROM chat_messages WHERE session_id = s.id AND role = 'user' ORDER BY id LIMIT 1), 1, ${PREVIEW_CHARS}), '') AS preview,
  s.created_at,
  (SELECT count(*) FROM chat_messages WHERE session_id = s.id) AS message_count,
  coalesce(s.archived, 0) AS archived`;

interface ToolCallRow extends Omit<StoredToolCall, 'args' | 'result'> {
  args: string | null;
  result: string | null;
}

/** JSON text as a value; text that is not JSON (a reference-era row) reads as null, as there. */
function parsed(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

const jsonText = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));

export class ChatStore {
  readonly #db: ChatDb;
  readonly #insertSession: Statement<[number, string, string]>;
  readonly #lastActive: Statement<[]>;
  readonly #sessionExists: Statement<[number]>;
  readonly #messageExists: Statement<[number]>;
  readonly #list: Statement<[number, number, number]>;
  readonly #count: Statement<[number]>;
  readonly #summary: Statement<[number]>;
  readonly #messages: Statement<[number]>;
  readonly #toolCallsOfSession: Statement<[number]>;
  readonly #rename: Statement<[string, number]>;
  readonly #setArchived: Statement<[number, number]>;
  readonly #deleteToolCalls: Statement<[number]>;
  readonly #deleteMessages: Statement<[number]>;
  readonly #deleteSession: Statement<[number]>;
  readonly #insertMessage: Statement<[number, string, string, string | null, number]>;
  readonly #insertToolCall: Statement<[number, string, string, string | null, string | null, string | null, string | null, number]>;
  readonly #params: Statement<[number]>;
  readonly #setParams: Statement<[string, number]>;

  constructor(dataDir: string, private readonly now: () => number = Date.now) {
    const db = (this.#db = openChatDb(dataDir));
    this.#insertSession = db.prepare('INSERT INTO chat_sessions (created_at, model_name, title) VALUES (?, ?, ?)');
    this.#lastActive = db.prepare('SELECT id FROM chat_sessions WHERE coalesce(archived, 0) = 0 ORDER BY id DESC LIMIT 1');
    this.#sessionExists = db.prepare('SELECT 1 FROM chat_sessions WHERE id = ?');
    this.#messageExists = db.prepare('SELECT 1 FROM chat_messages WHERE id = ?');
    this.#list = db.prepare(`SELECT ${SUMMARY} FROM chat_sessions s WHERE coalesce(s.archived, 0) = ? ORDER BY s.id DESC LIMIT ? OFFSET ?`);
    this.#count = db.prepare('SELECT count(*) AS n FROM chat_sessions WHERE coalesce(archived, 0) = ?');
    this.#summary = db.prepare(`SELECT ${SUMMARY} FROM chat_sessions s WHERE s.id = ?`);
    this.#messages = db.prepare('SELECT id, session_id, role, content, thinking, created_at FROM chat_messages WHERE session_id = ? ORDER BY id');
    this.#toolCallsOfSession = db.prepare(
      `SELECT t.id, t.message_id, t.tool, t.status, t.detail, t.tool_call_id, t.args, t.result, t.created_at
       FROM chat_tool_calls t JOIN chat_messages m ON m.id = t.message_id WHERE m.session_id = ? ORDER BY t.id`,
    );
    this.#rename = db.prepare('UPDATE chat_sessions SET title = ? WHERE id = ?');
    this.#setArchived = db.prepare('UPDATE chat_sessions SET archived = ? WHERE id = ?');
    this.#deleteToolCalls = db.prepare('DELETE FROM chat_tool_calls WHERE message_id IN (SELECT id FROM chat_messages WHERE session_id = ?)');
    this.#deleteMessages = db.prepare('DELETE FROM chat_messages WHERE session_id = ?');
    this.#deleteSession = db.prepare('DELETE FROM chat_sessions WHERE id = ?');
    this.#insertMessage = db.prepare('INSERT INTO chat_messages (session_id, role, content, thinking, created_at) VALUES (?, ?, ?, ?, ?)');
    this.#insertToolCall = db.prepare(
      'INSERT INTO chat_tool_calls (message_id, tool, status, detail, tool_call_id, args, result, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.#params = db.prepare(`SELECT coalesce(params, '') AS params FROM chat_sessions WHERE id = ?`);
    this.#setParams = db.prepare('UPDATE chat_sessions SET params = ? WHERE id = ?');
  }

  newSession(title = '', modelName = ''): number {
    return Number(this.#insertSession.run(this.now(), modelName, title).lastInsertRowid);
  }

  /** The newest session that is not archived; a new one when there is none. */
  lastSession(): number {
    return this.#db.transaction(() => {
      const row = this.#lastActive.get() as { id: number } | undefined;
      return row ? row.id : this.newSession();
    })();
  }

  hasSession(id: number): boolean {
    return this.#sessionExists.get(id) !== undefined;
  }

  summary(id: number): SessionSummary | null {
    const row = this.#summary.get(id) as (Omit<SessionSummary, 'archived'> & { archived: number }) | undefined;
    return row ? { ...row, archived: row.archived !== 0 } : null;
  }

  /** Sessions newest first (by id, as the reference orders them), archived ones or the others. */
  list(archived: boolean, limit: number, offset: number): SessionSummary[] {
    const rows = this.#list.all(archived ? 1 : 0, limit, offset) as Array<Omit<SessionSummary, 'archived'> & { archived: number }>;
    return rows.map((r) => ({ ...r, archived: r.archived !== 0 }));
  }

  count(archived: boolean): number {
    return (this.#count.get(archived ? 1 : 0) as { n: number }).n;
  }

  /** A session's messages in the order they were saved, each with its tool calls; null: no such session. */
  messages(sessionId: number): StoredMessage[] | null {
    return this.#db.transaction(() => {
      if (!this.hasSession(sessionId)) return null;
      const messages = (this.#messages.all(sessionId) as Array<Omit<StoredMessage, 'tool_calls'>>).map((m) => ({ ...m, tool_calls: [] as StoredToolCall[] }));
      const byId = new Map(messages.map((m) => [m.id, m]));
      for (const t of this.#toolCallsOfSession.all(sessionId) as ToolCallRow[]) {
        byId.get(t.message_id)?.tool_calls.push({ ...t, args: parsed(t.args), result: parsed(t.result) });
      }
      return messages;
    })();
  }

  rename(id: number, title: string): boolean {
    return this.#rename.run(title, id).changes > 0;
  }

  setArchived(id: number, archived: boolean): boolean {
    return this.#setArchived.run(archived ? 1 : 0, id).changes > 0;
  }

  /** Deletes a session with its messages and their tool calls. */
  delete(id: number): boolean {
    return this.#db.transaction(() => {
      this.#deleteToolCalls.run(id);
      this.#deleteMessages.run(id);
      return this.#deleteSession.run(id).changes > 0;
    })();
  }

  /** Appends a message (and its tool calls) to a session: the message id, or null when there is no such session. */
  saveMessage(sessionId: number, message: NewMessage): number | null {
    return this.#db.transaction(() => {
      if (!this.hasSession(sessionId)) return null;
      const now = this.now();
      const id = Number(this.#insertMessage.run(sessionId, message.role, message.content, message.thinking ?? null, now).lastInsertRowid);
      this.#insertToolCalls(id, message.tool_calls ?? [], now);
      return id;
    })();
  }

  /** Adds tool calls to a saved message: their ids, or null when there is no such message. */
  saveToolCalls(messageId: number, calls: readonly NewToolCall[]): number[] | null {
    return this.#db.transaction(() => {
      if (this.#messageExists.get(messageId) === undefined) return null;
      return this.#insertToolCalls(messageId, calls, this.now());
    })();
  }

  /** A session's generation parameters as the JSON text stored ('' for the defaults); null: no such session. */
  params(id: number): string | null {
    const row = this.#params.get(id) as { params: string } | undefined;
    return row ? row.params : null;
  }

  setParams(id: number, paramsJson: string): boolean {
    return this.#setParams.run(paramsJson, id).changes > 0;
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  #insertToolCalls(messageId: number, calls: readonly NewToolCall[], now: number): number[] {
    return calls.map((c) =>
      Number(this.#insertToolCall.run(messageId, c.tool, c.status, c.detail ?? null, c.tool_call_id ?? null, jsonText(c.args), jsonText(c.result), now).lastInsertRowid),
    );
  }
}
