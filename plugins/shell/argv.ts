// A command that is one simple command of plain words needs no shell: exec it directly, as make
// does. `sh -c` cost a second exec and the shell's start-up on every task (~1 ms of a `true`).

// Characters no shell gives a meaning to inside a word: no quotes, $, globs, ~, redirections, ;&|
const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

// Words a shell runs itself (reserved words and builtins with no program twin of the same effect).
const SHELL_WORDS = new Set([
  '.', ':', '!', '{', '}', '[[', 'alias', 'bg', 'bind', 'break', 'builtin', 'caller', 'case', 'cd', 'command', 'compgen', 'complete',
  'continue', 'coproc', 'declare', 'dirs', 'disown', 'do', 'done', 'elif', 'else', 'enable', 'esac', 'eval', 'exec', 'exit',
  'export', 'fc', 'fg', 'fi', 'for', 'function', 'getopts', 'hash', 'help', 'history', 'if', 'in', 'jobs', 'let', 'local',
  'logout', 'mapfile', 'popd', 'pushd', 'read', 'readarray', 'readonly', 'return', 'select', 'set', 'shift', 'shopt',
  'source', 'suspend', 'then', 'time', 'times', 'trap', 'type', 'typeset', 'ulimit', 'umask', 'unalias', 'unset', 'until',
  'wait', 'while',
]);

/**
 * The argv to exec for `command` when a shell would only split it into words; undefined when it
 * has anything a shell interprets (quotes, variables, globs, operators, several lines) or starts
 * with a shell builtin or an assignment.
 * @example directArgv('npm test --silent') // ['npm', 'test', '--silent']
 * @example directArgv('echo $HOME')        // undefined
 */
export function directArgv(command: string): string[] | undefined {
  const words = command.trim().split(/[ \t]+/);
  const [program] = words;
  if (!program || SHELL_WORDS.has(program) || program.includes('=')) return undefined;
  for (const word of words) if (!PLAIN_WORD.test(word)) return undefined;
  return words;
}
