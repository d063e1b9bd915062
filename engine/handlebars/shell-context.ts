// Where a placeholder sits in shell text: the same value needs different quoting outside quotes,
// inside "…", inside '…' and in a here-document, and means nothing at all in a # comment.
import { WeftError } from '../errors.js';

/**
 * The quoting context of one spot in a shell command.
 * - `word`: outside quotes; the value becomes one quoted word (`''` when empty).
 * - `double` / `single`: inside the author's own quotes; the value is escaped for them.
 * - `heredoc`: the body of `<<EOF` (`literal` for `<<'EOF'`, where nothing expands).
 * - `comment`: after `#`; the shell ignores it, so the placeholder is not rendered.
 */
export type ShellSpot =
  | { kind: 'word' | 'double' | 'single' | 'comment' }
  | { kind: 'heredoc'; delimiter: string; literal: boolean; stripTabs: boolean };

type Frame =
  | { type: 'plain'; closer: ')' | undefined; depth: number; cases: number }
  | { type: 'double' | 'single' | 'backtick' }
  | { type: 'param'; depth: number };

/** Where a template's text starts: a command starts outside quotes; a partial may start inside them. */
export type QuoteStart = 'word' | 'double' | 'single';

type Heredoc = { delimiter: string; literal: boolean; stripTabs: boolean };

// Characters after which a `#` starts a comment (a word starts there).
const WORD_BREAK = new Set([' ', '\t', '\n', ';', '&', '|', '(', ')', '<', '>']);

/**
 * A small POSIX sh lexer that follows the literal text of a template and says, at each
 * placeholder, which quoting context it is in. It knows quotes, backslashes, comments, `$( )`,
 * backticks, `${ }` and here-documents; not aliases or `eval` (what a command does with its
 * arguments is the command's business).
 * @example const lx = createShellLexer(); lx.feed('echo "a '); lx.spot('') // { kind: 'double' }
 */
export function createShellLexer(start: QuoteStart = 'word'): ShellLexer {
  return new ShellLexer(start);
}

export class ShellLexer {
  private readonly stack: Frame[] = [{ type: 'plain', closer: undefined, depth: 0, cases: 0 }];
  private comment = false;
  private escaped = false;
  private atWordStart = true;
  private pending: Heredoc[] = [];
  private heredoc: Heredoc | undefined;
  private line = '';
  private word = '';
  // `<<` seen: the delimiter word is being read.
  private reading: { strip: boolean; word: string; quoted: boolean; started: boolean } | undefined;

  constructor(start: QuoteStart = 'word') {
    // A partial rendered inside the author's quotes starts there.
    if (start !== 'word') this.stack.push({ type: start });
  }

  private top(): Frame {
    return this.stack[this.stack.length - 1]!;
  }

  private feedHeredoc(ch: string): void {
    if (ch !== '\n') {
      this.line += ch;
      return;
    }
    const text = this.heredoc!.stripTabs ? this.line.replace(/^\t+/, '') : this.line;
    this.line = '';
    if (text === this.heredoc!.delimiter) this.heredoc = this.pending.shift();
  }

  private readDelimiter(ch: string): boolean {
    const r = this.reading!;
    if (!r.started && ch === '-' && r.word === '' && !r.strip) return (r.strip = true);
    if (!r.started && (ch === ' ' || ch === '\t')) return true;
    if (ch === "'" || ch === '"' || ch === '\\') {
      r.quoted = true;
      r.started = true;
      return true;
    }
    if (WORD_BREAK.has(ch)) {
      if (r.word) this.pending.push({ delimiter: r.word, literal: r.quoted, stripTabs: r.strip });
      this.reading = undefined;
      return false;
    }
    r.word += ch;
    r.started = true;
    return true;
  }

  private feedPlain(ch: string, frame: Extract<Frame, { type: 'plain' }>, next: string | undefined): number {
    if (this.reading && this.readDelimiter(ch)) return 0;
    const wordStart = this.atWordStart;
    this.atWordStart = WORD_BREAK.has(ch);
    this.trackCase(ch, frame, wordStart);
    switch (ch) {
      case '\\':
        this.escaped = true;
        return 0;
      case "'":
        this.stack.push({ type: 'single' });
        return 0;
      case '"':
        this.stack.push({ type: 'double' });
        return 0;
      case '`':
        this.stack.push({ type: 'backtick' });
        return 0;
      case '#':
        if (wordStart) this.comment = true;
        return 0;
      case '$':
        return this.openDollar(next);
      case '(':
        frame.depth += 1;
        return 0;
      case ')':
        if (frame.depth > 0) frame.depth -= 1;
        // `case x in a) …`: inside case … esac a `)` ends a pattern, not the `$( )`.
        else if (frame.closer === ')' && frame.cases === 0) this.stack.pop();
        return 0;
      case '<':
        if (next === '<') {
          this.reading = { strip: false, word: '', quoted: false, started: false };
          return 1;
        }
        return 0;
      case '\n':
        if (this.pending.length > 0) this.heredoc = this.pending.shift();
        return 0;
      default:
        return 0;
    }
  }

  // The word being read, to see `case` and `esac` as keywords.
  private trackCase(ch: string, frame: Extract<Frame, { type: 'plain' }>, wordStart: boolean): void {
    if (/[a-z]/.test(ch)) {
      this.word = wordStart || this.word !== '' ? this.word + ch : '';
      return;
    }
    if (WORD_BREAK.has(ch)) {
      if (this.word === 'case') frame.cases += 1;
      else if (this.word === 'esac' && frame.cases > 0) frame.cases -= 1;
    }
    this.word = '';
  }

  private openDollar(next: string | undefined): number {
    if (next === '(') {
      this.stack.push({ type: 'plain', closer: ')', depth: 0, cases: 0 });
      this.atWordStart = true;
      return 1;
    }
    if (next === '{') {
      this.stack.push({ type: 'param', depth: 0 });
      return 1;
    }
    return 0;
  }

  private feedChar(ch: string, next: string | undefined): number {
    if (this.heredoc) {
      this.feedHeredoc(ch);
      return 0;
    }
    if (this.comment) {
      if (ch === '\n') {
        this.comment = false;
        this.atWordStart = true;
        if (this.pending.length > 0) this.heredoc = this.pending.shift();
      }
      return 0;
    }
    if (this.escaped) {
      this.escaped = false;
      this.atWordStart = false;
      return 0;
    }
    const frame = this.top();
    switch (frame.type) {
      case 'plain':
        return this.feedPlain(ch, frame, next);
      case 'single':
        if (ch === "'") this.stack.pop();
        return 0;
      case 'double':
        if (ch === '\\') this.escaped = true;
        else if (ch === '"') this.stack.pop();
        else if (ch === '`') this.stack.push({ type: 'backtick' });
        else if (ch === '$') return this.openDollar(next);
        return 0;
      case 'backtick':
        if (ch === '\\') this.escaped = true;
        else if (ch === '`') this.stack.pop();
        return 0;
      case 'param':
        if (ch === '\\') this.escaped = true;
        else if (ch === '{') frame.depth += 1;
        else if (ch === '}') {
          if (frame.depth > 0) frame.depth -= 1;
          else this.stack.pop();
        }
        return 0;
    }
  }


  /** Read literal text of the command. */
  feed(text: string): void {
    for (let i = 0; i < text.length; i++) i += this.feedChar(text[i]!, text[i + 1]);
  }
  /**
   * The context a placeholder at this point is in. A placeholder where no quoting can make
   * a value safe (inside backticks or `${…}`, or as a here-document's delimiter) is TEMPLATE_SYNTAX.
   */
  spot(where: string): ShellSpot {
    if (this.heredoc) return { kind: 'heredoc', ...this.heredoc };
    if (this.comment) return { kind: 'comment' };
    if (this.reading) throw new WeftError('TEMPLATE_SYNTAX', `a placeholder cannot be a here-document's delimiter${where}`);
    // A placeholder right after a backslash would have its first character escaped, not quoted.
    if (this.escaped) throw new WeftError('TEMPLATE_SYNTAX', `a placeholder cannot follow a backslash in a shell command${where}`);
    const frame = this.top();
    if (frame.type === 'backtick') throw new WeftError('TEMPLATE_SYNTAX', `a placeholder cannot go inside backticks in a shell command: use $( … )${where}`);
    if (frame.type === 'param') throw new WeftError('TEMPLATE_SYNTAX', `a placeholder cannot go inside \${ … } in a shell command${where}`);
    this.atWordStart = false;
    return { kind: frame.type === 'plain' ? 'word' : frame.type };
  }
  /** True inside a `#` comment. */
  inComment(): boolean {
    return this.comment && !this.heredoc;
  }
  /** A comparable snapshot: a block must leave the lexer as it found it. */
  state(): string {
    return JSON.stringify({ stack: this.stack, comment: this.comment, escaped: this.escaped, heredoc: this.heredoc, pending: this.pending, reading: this.reading !== undefined });
  }
}


/**
 * The source of a shell command with every `{{` inside a `#` comment escaped (`\\{{`), so Handlebars
 * keeps it as text: a comment is not a template, and a broken or missing reference there is no error.
 * @example escapeShellComments('ls # see {{docs}}') // 'ls # see \\{{docs}}'
 */
export function escapeShellComments(source: string): string {
  if (!source.includes('#')) return source;
  const lexer = createShellLexer();
  let out = '';
  let from = 0;
  for (let at = source.indexOf('{{'); at !== -1; at = source.indexOf('{{', from)) {
    const text = source.slice(from, at);
    lexer.feed(text);
    out += text;
    // `\{{` is already literal text for Handlebars.
    if (lexer.inComment() || source[at - 1] === '\\') {
      out += lexer.inComment() && source[at - 1] !== '\\' ? '\\{{' : '{{';
      lexer.feed('{{');
      from = at + 2;
      continue;
    }
    const close = source.startsWith('{{!--', at) ? '--}}' : source.startsWith('{{{', at) ? '}}}' : '}}';
    const end = source.indexOf(close, at + 2);
    if (end === -1) return source; // unclosed: Handlebars reports it
    out += source.slice(at, end + close.length);
    // A placeholder that outputs stands for a word: after it, `#` does not start a comment.
    if (!/^\{\{~?\s*(?:[#/^!]|else\b)/.test(source.slice(at))) lexer.feed('x');
    from = end + close.length;
  }
  return out + source.slice(from);
}
