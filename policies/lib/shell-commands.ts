/**
 * The executables a `/bin/sh -c` command line runs: the first word of every simple command
 * (after variable assignments), inside pipelines, lists and `$( )` / backtick substitutions.
 * Enough of the POSIX shell grammar for health-check one-liners; not an interpreter.
 */

/** Commands the shell runs itself (POSIX special and regular builtins that busybox ash and dash have). */
const BUILTINS = new Set([
  ":",
  ".",
  "[",
  "alias",
  "break",
  "cd",
  "command",
  "continue",
  "echo",
  "eval",
  "exec",
  "exit",
  "export",
  "false",
  "getopts",
  "kill",
  "local",
  "printf",
  "pwd",
  "read",
  "readonly",
  "return",
  "set",
  "shift",
  "test",
  "times",
  "trap",
  "true",
  "type",
  "ulimit",
  "umask",
  "unset",
  "wait",
]);
const KEYWORDS = new Set(["!", "if", "then", "else", "elif", "fi", "while", "until", "do", "done", "for", "in", "case", "esac", "{", "}"]);
/** Marks a word that came from a substitution: its value is only known when it runs. */
export const DYNAMIC = "\0dynamic";

/** Splits out `$(...)` and backtick bodies, replacing each with one DYNAMIC word. */
function substitutions(cmd: string): { outer: string; inner: string[] } {
  const inner: string[] = [];
  let outer = "";
  for (let i = 0; i < cmd.length; i++) {
    const c = cmd[i];
    if (c === "'") {
      const j = cmd.indexOf("'", i + 1);
      const end = j < 0 ? cmd.length : j;
      outer += cmd.slice(i, end + 1);
      i = end;
    } else if (c === "$" && cmd[i + 1] === "(" && cmd[i + 2] !== "(") {
      let depth = 0;
      let j = i + 1;
      for (; j < cmd.length; j++) {
        if (cmd[j] === "(") depth++;
        else if (cmd[j] === ")" && --depth === 0) break;
      }
      inner.push(cmd.slice(i + 2, j));
      outer += DYNAMIC;
      i = j;
    } else if (c === "`") {
      const j = cmd.indexOf("`", i + 1);
      const end = j < 0 ? cmd.length : j;
      inner.push(cmd.slice(i + 1, end));
      outer += DYNAMIC;
      i = end;
    } else outer += c;
  }
  return { outer, inner };
}

/** Words of the simple commands of a command line (no substitutions left in it). */
function simpleCommands(line: string): string[][] {
  const out: string[][] = [];
  let words: string[] = [];
  let word = "";
  let quote: string | undefined;
  let inWord = false;
  const endWord = () => {
    if (inWord) words.push(word);
    word = "";
    inWord = false;
  };
  const endCommand = () => {
    endWord();
    if (words.length) out.push(words);
    words = [];
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < line.length) word += line[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (c === "&" && (line[i - 1] === ">" || line[i - 1] === "<")) {
      // `2>&1`, `<&3`: a redirection, not a background or list operator.
      word += c;
      inWord = true;
    } else if (/[|&;()\n]/.test(c)) endCommand();
    else if (/\s/.test(c)) endWord();
    else {
      word += c;
      inWord = true;
    }
  }
  endCommand();
  return out;
}

/** The executables the command line starts, builtins left out; DYNAMIC where the name comes from a substitution. */
export function shellExecutables(cmd: string): string[] {
  const { outer, inner } = substitutions(cmd);
  const out: string[] = [];
  for (const words of simpleCommands(outer)) {
    let i = 0;
    // Leading assignments (VAR=value) and redirections (>/dev/null, 2>&1) are not the command.
    while (i < words.length && (/^[A-Za-z_]\w*=/.test(words[i]) || /^\d*[<>]/.test(words[i]) || KEYWORDS.has(words[i]))) i++;
    let name = words[i];
    if (name === "exec" || name === "command") name = words[i + 1];
    if (name === undefined || BUILTINS.has(name)) continue;
    out.push(name.includes(DYNAMIC) ? DYNAMIC : name);
  }
  for (const body of inner) out.push(...shellExecutables(body));
  return out;
}
