// Numbered schema migrations for every SQLite file the daemon owns: migration n (1-based) brings
// `PRAGMA user_version` from n − 1 to n, each in its own transaction, so a file is always at one
// whole version — an interrupted upgrade resumes at the step it stopped. Never edit a migration
// that has shipped: add the next one.
import type Database from 'better-sqlite3';

/** SQL to run, or a function for steps that must look first (e.g. columns an older file lacks). */
export type Migration = string | ((db: Database.Database) => void);

/** Brings `db` to the newest version of `migrations`. */
export function applyMigrations(db: Database.Database, migrations: readonly Migration[]): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let v = current; v < migrations.length; v++) {
    const step = migrations[v]!;
    db.transaction(() => {
      if (typeof step === 'string') db.exec(step);
      else step(db);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
