// A hook's `command` (a string, as the reference stores it) as the argument list it is run with.
// Words are split on whitespace; single quotes keep everything literally, double quotes keep
// spaces and honour \" and \\, a backslash outside quotes escapes the next character. Nothing
// else is special: no variables, globs, pipes, redirections or `;` — the words go to execFile,
// never to a shell, so `notify-send "focus" ; rm -rf ~` runs notify-send with four arguments.

export class CommandSyntaxError extends Error {}

export function commandArgv(command: string): string[] {
  const out: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < command.length; i++) {
    const ch = command[i]!;
    if (quote === "'") {
      if (ch === "'") quote = null;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = null;
      else if (ch === '\\' && (command[i + 1] === '"' || command[i + 1] === '\\')) word += command[++i];
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < command.length) {
      word += command[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) out.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) throw new CommandSyntaxError(`unterminated ${quote} quote`);
  if (inWord) out.push(word);
  return out;
}
