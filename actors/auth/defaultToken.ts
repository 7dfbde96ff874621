// The default (full-access) token: `<config>/skill/daemon/auth.token`, created on first start,
// mode 0600 in a 0700 directory, written atomically. A token rotated by another process works
// without a restart: a presented token that does not match makes the file be checked again,
// and the file is also checked at most once a second on matches, so the old token stops
// working soon after the file changes (the reference keeps accepting it until restart).
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../store/atomicFile.ts';
import { newSecret, secretEquals } from './secret.ts';

export class DefaultToken {
  private token = '';
  private fileStamp = '';
  private lastCheckMs = 0;

  constructor(readonly file: string, private readonly override: string | null) {
    if (override) this.set(override);
    else this.loadOrCreate();
  }

  get value(): string {
    return this.token;
  }

  get isOverridden(): boolean {
    return this.override !== null;
  }

  /** Constant-time check of a presented token, re-reading a rotated file. */
  matches(presented: string, nowMs = Date.now()): boolean {
    if (secretEquals(presented, this.token)) {
      if (this.override || nowMs - this.lastCheckMs < 1000) return true;
      this.lastCheckMs = nowMs;
    }
    if (this.override || !this.fileChanged()) return secretEquals(presented, this.token);
    this.readFile();
    return secretEquals(presented, this.token);
  }

  /** New random token, written atomically; returns it. */
  refresh(): string {
    const token = newSecret();
    this.write(token);
    return token;
  }

  private loadOrCreate(): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    if (!this.readFile()) this.write(newSecret());
    // A token file others can read is as good as no token: tighten it.
    const mode = fs.statSync(this.file).mode & 0o777;
    if (mode !== 0o600) fs.chmodSync(this.file, 0o600);
  }

  private readFile(): boolean {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8').trim();
    } catch {
      return false;
    }
    this.fileStamp = this.stamp();
    if (!text) return false;
    this.set(text);
    return true;
  }

  private write(token: string): void {
    writeFileAtomic(this.file, token + '\n', { mode: 0o600, dirMode: 0o700 });
    this.fileStamp = this.stamp();
    this.set(token);
  }

  private set(token: string): void {
    this.token = token;
  }

  private stamp(): string {
    try {
      const st = fs.statSync(this.file);
      return `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      return '';
    }
  }

  private fileChanged(): boolean {
    return this.stamp() !== this.fileStamp;
  }
}
