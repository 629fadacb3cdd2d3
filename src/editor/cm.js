// The page's code editor: CodeMirror 6, bundled by `cargo xtask build` (esbuild) into one script that
// defines the global `SfnEditor`, which src/editor/mod.rs drives through wasm-bindgen.
//
// One EditorView; each tab (the definition, each Lambda module, the input) keeps its own EditorState,
// so each keeps its own undo history. Diagnostics come from the Rust side as absolute offsets.
//
// Only CodeMirror's core (state, view) and its editing commands are used. Highlighting, bracket
// matching, auto-closed brackets and indentation come from the two small tokenizers below rather than
// from @codemirror/language and Lezer, which would add ~20 KB brotli to the page's first load.
import { EditorState, EditorSelection, Annotation, StateField, StateEffect, RangeSet, Facet } from '@codemirror/state';
import {
  EditorView, ViewPlugin, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection,
  Decoration, gutter, GutterMarker,
} from '@codemirror/view';
import {
  history, historyKeymap, indentWithTab, toggleComment, emacsStyleKeymap, selectAll,
  cursorCharLeft, selectCharLeft, cursorGroupLeft, selectGroupLeft, cursorLineBoundaryLeft, selectLineBoundaryLeft,
  cursorCharRight, selectCharRight, cursorGroupRight, selectGroupRight, cursorLineBoundaryRight, selectLineBoundaryRight,
  cursorLineUp, selectLineUp, cursorLineDown, selectLineDown, cursorDocStart, selectDocStart, cursorDocEnd, selectDocEnd,
  cursorPageUp, selectPageUp, cursorPageDown, selectPageDown,
  cursorLineBoundaryBackward, selectLineBoundaryBackward, cursorLineBoundaryForward, selectLineBoundaryForward,
  deleteCharBackward, deleteCharForward, deleteGroupBackward, deleteGroupForward,
  deleteLineBoundaryBackward, deleteLineBoundaryForward,
} from '@codemirror/commands';

// Colours of style/main.css: ink #16191f, muted #5f6b7a, line #d5dbe1, accent #ec7211.
const theme = EditorView.theme({
  '&': { height: '100%', fontSize: '13px', backgroundColor: '#ffffff', color: '#16191f' },
  '&.cm-focused': { outline: 'none' },
  '.cm-scroller': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', lineHeight: '1.5' },
  '.cm-gutters': { backgroundColor: '#f8f9fb', color: '#5f6b7a', borderRight: '1px solid #d5dbe1' },
  '.cm-activeLine': { backgroundColor: 'rgba(9, 114, 211, 0.05)' }, // translucent: the selection shows through
  '.cm-activeLineGutter': { backgroundColor: '#e9edf1', color: '#16191f' },
  '&.cm-focused .cm-matchingBracket': { backgroundColor: '#fde6d2', outline: '1px solid #ec7211' },
  '&.cm-focused .cm-nonmatchingBracket': { backgroundColor: '#fbd9d3' },
  '.cm-cursor': { borderLeftColor: '#16191f' },
  '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground': { backgroundColor: '#cfe3fa' },
  '.cm-lintRange-error': { textDecoration: 'underline wavy #d13212', textUnderlineOffset: '3px' },
  '.cm-lintRange-warning': { textDecoration: 'underline wavy #c27c0e', textUnderlineOffset: '3px' },
  '.cm-gutter-lint .cm-gutterElement': { padding: '0 2px', fontSize: '10px', cursor: 'default' },
  '.cm-lint-marker-error': { color: '#d13212' },
  '.cm-lint-marker-warning': { color: '#c27c0e' },
  // Tokens.
  '.tok-propertyName': { color: '#0b5cad' },
  '.tok-string': { color: '#1d7a3a' },
  '.tok-number, .tok-bool, .tok-null, .tok-atom': { color: '#b35900' },
  '.tok-keyword': { color: '#8a3ab9' },
  '.tok-comment': { color: '#5f6b7a', fontStyle: 'italic' },
  '.tok-function': { color: '#0a6e8a' },
  '.tok-invalid': { color: '#d13212' },
  // A JSONata expression ("{% ... %}") in a definition stands out from plain strings.
  '.tok-meta': { color: '#8a3ab9', backgroundColor: '#f6f0fb' },
}, { dark: false });

const external = Annotation.define();

// Diagnostics: an underline with the message as its hover title, and a marker in a gutter of its own.
// (Like @codemirror/lint's look and class names, at a tenth of its weight: no tooltips or panels.)
const setDiagnostics = StateEffect.define();

class DiagnosticMarker extends GutterMarker {
  constructor(severity, message) { super(); this.severity = severity; this.message = message; }
  eq(other) { return other.severity === this.severity && other.message === this.message; }
  toDOM() {
    const el = document.createElement('div');
    el.className = `cm-lint-marker cm-lint-marker-${this.severity}`;
    el.title = this.message;
    el.textContent = this.severity === 'error' ? '●' : '▲';
    return el;
  }
}

const diagnosticsField = StateField.define({
  create: () => ({ marks: Decoration.none, markers: RangeSet.empty }),
  update(value, tr) {
    let { marks, markers } = value;
    if (tr.docChanged) { marks = marks.map(tr.changes); markers = markers.map(tr.changes); }
    for (const e of tr.effects) {
      if (!e.is(setDiagnostics)) continue;
      const doc = tr.state.doc;
      const sorted = [...e.value].sort((a, b) => a.from - b.from);
      marks = Decoration.set(sorted.map((d) => Decoration.mark({
        class: `cm-lintRange cm-lintRange-${d.severity}`,
        attributes: { title: d.message },
      }).range(d.from, Math.max(d.to, d.from + 1))), true);
      const byLine = new Map();
      for (const d of sorted) {
        const from = doc.lineAt(d.from).from;
        const seen = byLine.get(from);
        if (!seen) byLine.set(from, { severity: d.severity, message: d.message });
        else {
          if (d.severity === 'error') seen.severity = 'error';
          seen.message += '\n' + d.message;
        }
      }
      markers = RangeSet.of([...byLine].map(([from, m]) => new DiagnosticMarker(m.severity, m.message).range(from)), true);
    }
    return { marks, markers };
  },
  provide: (f) => [
    EditorView.decorations.from(f, (v) => v.marks),
    gutter({ class: 'cm-gutter-lint', markers: (v) => v.state.field(f).markers, initialSpacer: () => new DiagnosticMarker('spacer', '') }),
  ],
});

// A line of text as the tokenizers read it (the subset of CodeMirror's StringStream they use).
const sticky = new Map(); // a /^.../ pattern -> the same pattern, sticky (so matching never copies the line)
class Stream {
  constructor(string) { this.string = string; this.pos = 0; this.start = 0; }
  eol() { return this.pos >= this.string.length; }
  next() { return this.pos < this.string.length ? this.string.charAt(this.pos++) : undefined; }
  eatSpace() { const start = this.pos; while (/[\s\u00a0]/.test(this.string.charAt(this.pos))) this.pos++; return this.pos > start; }
  eatWhile(re) { const start = this.pos; while (this.pos < this.string.length && re.test(this.string.charAt(this.pos))) this.pos++; return this.pos > start; }
  skipToEnd() { this.pos = this.string.length; }
  skipTo(s) { const i = this.string.indexOf(s, this.pos); if (i < 0) return false; this.pos = i; return true; }
  current() { return this.string.slice(this.start, this.pos); }
  match(pattern, consume = true) {
    if (typeof pattern === 'string') {
      if (!this.string.startsWith(pattern, this.pos)) return null;
      if (consume) this.pos += pattern.length;
      return true;
    }
    let re = sticky.get(pattern);
    if (!re) sticky.set(pattern, re = new RegExp(pattern.source.replace(/^\^/, ''), pattern.flags + 'y'));
    re.lastIndex = this.pos;
    const m = re.exec(this.string);
    if (m && consume) this.pos += m[0].length;
    return m;
  }
}

/** Tokenizes one line from `state` (which it advances), pushing `from, to, type` of each typed token to `out`. */
function tokenizeLine(language, text, state, out) {
  const stream = new Stream(text);
  while (!stream.eol()) {
    stream.start = stream.pos;
    const type = language.token(stream, state);
    if (stream.pos === stream.start) stream.pos++; // always progress
    if (out && type) out.push(stream.start, stream.pos, type);
  }
}

// The bracket depth, for indentation: the brackets open before the line, one less before a closing one.
function trackDepth(state, ch) {
  if (ch === '{' || ch === '[' || ch === '(') state.depth++;
  else if ((ch === '}' || ch === ']' || ch === ')') && state.depth > 0) state.depth--;
}

// JSON for the definition and the input: property names, strings, numbers, literals, brackets.
const jsonLanguage = {
  startState: () => ({ depth: 0 }),
  token(stream, state) {
    if (stream.eatSpace()) return null;
    const ch = stream.next();
    if (ch === '"') {
      let escaped = false, c;
      while ((c = stream.next()) != null) {
        if (c === '"' && !escaped) break;
        escaped = !escaped && c === '\\';
      }
      if (stream.match(/^\s*:/, false)) return 'propertyName';
      return /^"\{%[\s\S]*%\}"$/.test(stream.current()) ? 'meta' : 'string';
    }
    if (ch === '-' || /\d/.test(ch)) { stream.match(/^\d*(\.\d+)?([eE][+-]?\d+)?/); return 'number'; }
    if (/[a-z]/.test(ch)) {
      stream.eatWhile(/[a-z]/);
      const word = stream.current();
      return word === 'true' || word === 'false' ? 'bool' : word === 'null' ? 'null' : 'invalid';
    }
    trackDepth(state, ch);
    return /[{}\[\]]/.test(ch) ? 'brace' : ch === ':' || ch === ',' ? 'punctuation' : 'invalid';
  },
};

// JavaScript for the Lambda modules: strings, template literals, comments, numbers, keywords.
const KEYWORDS = new Set(('async await break case catch class const continue debugger default delete do else export ' +
  'extends finally for function if import in instanceof let new of return static super switch this throw try ' +
  'typeof var void while with yield').split(' '));
const ATOMS = new Set(['true', 'false', 'null', 'undefined', 'NaN', 'Infinity']);
const javascriptLanguage = {
  quotes: '"\'`',
  startState: () => ({ inComment: false, inTemplate: false, depth: 0 }),
  token: function jsToken(stream, state) {
    if (state.inComment) {
      if (stream.skipTo('*/')) { stream.next(); stream.next(); state.inComment = false; } else stream.skipToEnd();
      return 'comment';
    }
    if (state.inTemplate) {
      let escaped = false, ch;
      while ((ch = stream.next()) != null) {
        if (ch === '`' && !escaped) { state.inTemplate = false; break; }
        escaped = !escaped && ch === '\\';
      }
      return 'string';
    }
    if (stream.eatSpace()) return null;
    if (stream.match('//')) { stream.skipToEnd(); return 'comment'; }
    if (stream.match('/*')) { state.inComment = true; return jsToken(stream, state); }
    const ch = stream.next();
    if (ch === '`') { state.inTemplate = true; return jsToken(stream, state); }
    if (ch === '"' || ch === "'") {
      let escaped = false, c;
      while ((c = stream.next()) != null) {
        if (c === ch && !escaped) break;
        escaped = !escaped && c === '\\';
      }
      return 'string';
    }
    if (/\d/.test(ch)) { stream.match(/^[\d_]*(\.[\d_]*)?([eE][+-]?\d+)?n?/); return 'number'; }
    trackDepth(state, ch);
    if (/[\w$]/.test(ch)) {
      stream.eatWhile(/[\w$]/);
      const word = stream.current();
      if (KEYWORDS.has(word)) return 'keyword';
      if (ATOMS.has(word)) return 'atom';
      if (stream.match(/^\s*\(/, false)) return 'variableName.function';
      return 'variableName';
    }
    return null;
  },
  languageData: { commentTokens: { line: '//', block: { open: '/*', close: '*/' } } },
};

// What each language adds to an editor state: its tokenizer (a facet the commands read), the plugin
// that highlights the visible lines and the bracket at the cursor, and its language data.
const languageFacet = Facet.define({ combine: (values) => values[0] || null });
const marks = {}; // token type -> its mark decoration
const markOf = (type) => marks[type] || (marks[type] = Decoration.mark({ class: 'tok-' + (type === 'variableName.function' ? 'function' : type) }));
const matching = Decoration.mark({ class: 'cm-matchingBracket' });
const nonmatching = Decoration.mark({ class: 'cm-nonmatchingBracket' });
const UNTYPED = new Set([null, undefined, 'brace', 'punctuation']); // where a bracket is a bracket
const UNSTYLED = new Set(['brace', 'punctuation', 'variableName']);
const MAX_SCAN = 10000; // how far bracket matching looks for the partner

/** The tokenizer's state at the start of line `n` of `doc`, from `cache` (the states of lines 1..k). */
function lineState(language, cache, doc, n) {
  while (cache.length < n) {
    const k = cache.length;
    const state = { ...cache[k - 1] };
    tokenizeLine(language, doc.line(k).text, state, null);
    cache.push(state);
  }
  return { ...cache[n - 1] };
}

/** The typed tokens of line `n` as `[from, to, type, ...]` (offsets in the line). */
function lineTokens(language, cache, doc, n) {
  const out = [];
  tokenizeLine(language, doc.line(n).text, lineState(language, cache, doc, n), out);
  return out;
}

/** Whether `pos` is a structural bracket (not inside a string or comment), from the line's tokens. */
function isBracketAt(language, cache, doc, pos) {
  const line = doc.lineAt(pos), off = pos - line.from;
  if (!/[()[\]{}]/.test(line.text.charAt(off))) return false;
  const tokens = lineTokens(language, cache, doc, line.number);
  for (let i = 0; i < tokens.length; i += 3) {
    if (tokens[i] <= off && off < tokens[i + 1]) return UNTYPED.has(tokens[i + 2]);
  }
  return true;
}

const PARTNER = { '(': ')', '[': ']', '{': '}', ')': '(', ']': '[', '}': '{' };

/** The bracket matching the one at `pos`: its position, or -1 when unmatched, or null when unknown. */
function matchBracket(language, cache, doc, pos) {
  const open = '([{'.includes(doc.sliceString(pos, pos + 1));
  const dir = open ? 1 : -1;
  const stack = [];
  let line = doc.lineAt(pos);
  let tokens = lineTokens(language, cache, doc, line.number);
  let ti = open ? 0 : tokens.length - 3;
  const structural = (p) => { // tokens cover the line in order; advance `ti` to the token around p
    const off = p - line.from;
    if (dir > 0) { while (ti < tokens.length && tokens[ti + 1] <= off) ti += 3; return !(ti < tokens.length && tokens[ti] <= off) || UNTYPED.has(tokens[ti + 2]); }
    while (ti >= 0 && tokens[ti] > off) ti -= 3;
    return !(ti >= 0 && off < tokens[ti + 1]) || UNTYPED.has(tokens[ti + 2]);
  };
  for (let p = pos, scanned = 0; scanned < MAX_SCAN; p += dir, scanned++) {
    if (p < line.from || p > line.to) {
      if (p < 0 || p >= doc.length) return -1;
      line = doc.lineAt(p);
      tokens = lineTokens(language, cache, doc, line.number);
      ti = dir > 0 ? 0 : tokens.length - 3;
    }
    const ch = doc.sliceString(p, p + 1);
    if (!PARTNER[ch] || !structural(p)) continue;
    if ('([{'.includes(ch) === open) stack.push(ch);
    else if (PARTNER[ch] !== stack.pop()) return -1;
    if (!stack.length) return p;
  }
  return null;
}

function defineLanguage(language) {
  const plugin = ViewPlugin.fromClass(class {
    constructor(view) {
      this.cache = [language.startState()]; // the tokenizer's state at the start of each line so far
      this.decorations = this.build(view);
    }
    update(update) {
      if (update.docChanged) {
        let first = this.cache.length;
        update.changes.iterChangedRanges((fromA) => { first = Math.min(first, update.startState.doc.lineAt(fromA).number); });
        this.cache.length = Math.max(1, first);
      }
      if (update.docChanged || update.viewportChanged || update.selectionSet) this.decorations = this.build(update.view);
    }
    build(view) {
      const { doc, selection } = view.state;
      const ranges = [];
      for (const { from, to } of view.visibleRanges) {
        for (let n = doc.lineAt(from).number, last = doc.lineAt(to).number; n <= last; n++) {
          const start = doc.line(n).from, tokens = lineTokens(language, this.cache, doc, n);
          for (let i = 0; i < tokens.length; i += 3) {
            if (!UNSTYLED.has(tokens[i + 2])) ranges.push(markOf(tokens[i + 2]).range(start + tokens[i], start + tokens[i + 1]));
          }
        }
      }
      // The bracket after the cursor, else the one before it, and its partner.
      const head = selection.main.head;
      for (const pos of [head, head - 1]) {
        if (!selection.main.empty || pos < 0 || pos >= doc.length || !isBracketAt(language, this.cache, doc, pos)) continue;
        const other = matchBracket(language, this.cache, doc, pos);
        if (other === null) break;
        const mark = other < 0 ? nonmatching : matching;
        ranges.push(mark.range(pos, pos + 1));
        if (other >= 0) ranges.push(mark.range(other, other + 1));
        break;
      }
      return Decoration.set(ranges, true);
    }
  }, { decorations: (p) => p.decorations });
  const self = { language, plugin };
  self.extension = [languageFacet.of(self), plugin, EditorState.languageData.of(() => [language.languageData || {}])];
  return self;
}

/** The tokenizer's state at `pos` (`null` without a language), computed through the view's plugin when shown. */
function stateAt(target, pos) {
  const state = target.state || target;
  const lang = state.facet(languageFacet);
  if (!lang) return null;
  const line = state.doc.lineAt(pos);
  const plugin = target.plugin && target.plugin(lang.plugin);
  const start = plugin ? lineState(lang.language, plugin.cache, state.doc, line.number) : lang.language.startState();
  tokenizeLine(lang.language, line.text.slice(0, pos - line.from), start, null);
  return start;
}

const UNIT = 2; // columns per indentation level
const indentation = (cols) => ' '.repeat(Math.max(0, cols));

// Enter: a new line indented by the bracket depth; between a pair of brackets, the closing one goes to a
// line of its own.
function insertNewlineAndIndent(view) {
  const { state } = view;
  if (state.readOnly) return false;
  const tr = state.changeByRange((range) => {
    let { from, to } = range;
    const line = state.doc.lineAt(from);
    while (from > line.from && /[ \t]/.test(state.sliceDoc(from - 1, from))) from--; // no trailing spaces
    const depth = (stateAt(view, from) || { depth: 0 }).depth || 0;
    const endLine = state.doc.lineAt(to);
    while (to < endLine.to && /[ \t]/.test(state.sliceDoc(to, to + 1))) to++;
    const next = state.sliceDoc(to, to + 1);
    const closes = /[}\])]/.test(next);
    const explode = closes && PARTNER[next] === state.sliceDoc(from - 1, from);
    const inner = indentation((depth - (closes && !explode ? 1 : 0)) * UNIT);
    let insert = '\n' + inner;
    if (explode) insert += '\n' + indentation((depth - 1) * UNIT);
    return { changes: { from, to, insert }, range: EditorSelection.cursor(from + 1 + inner.length) };
  });
  view.dispatch(state.update(tr, { scrollIntoView: true, userEvent: 'input' }));
  return true;
}

// Typing: brackets and quotes are closed as they are opened (or wrap the selection), a closing one
// typed before the same one steps over it, and a closing bracket typed on a blank line re-indents it.
const OPENERS = { '(': ')', '[': ']', '{': '}', '"': '"', "'": "'", '`': '`' };
function handleInput(view, from, to, text) {
  const { state } = view;
  if (view.composing || text.length !== 1 || state.readOnly || state.selection.ranges.length !== 1) return false;
  const lang = state.facet(languageFacet);
  const quotes = lang && lang.language.quotes || '"';
  const next = state.sliceDoc(to, to + 1), prev = state.sliceDoc(from - 1, from);
  const isQuote = quotes.includes(text);
  if (!isQuote && !OPENERS[text] && !')]}'.includes(text)) return false;
  let spec = null;
  if (from === to && next === text && (')]}'.includes(text) || (isQuote && endsString(view, to)))) {
    spec = { selection: { anchor: to + 1 } }; // step over
  } else if ((OPENERS[text] && !'"\'`'.includes(text)) || isQuote) {
    const close = OPENERS[text];
    if (from !== to) {
      spec = { changes: [{ from, insert: text }, { from: to, insert: close }], selection: { anchor: from + 1, head: to + 1 } };
    } else if ((next === '' || /[\s)\]}:;,]/.test(next)) && !(isQuote && /[\w\\'"`]/.test(prev))) {
      spec = { changes: { from, insert: text + close }, selection: { anchor: from + 1 } };
    }
  }
  if (!spec && ')]}'.includes(text) && from === to) {
    const line = state.doc.lineAt(from);
    if (/^\s*$/.test(state.sliceDoc(line.from, from))) {
      const depth = (stateAt(view, line.from) || { depth: 0 }).depth || 0;
      const indent = indentation((depth - 1) * UNIT);
      spec = { changes: { from: line.from, to, insert: indent + text }, selection: { anchor: line.from + indent.length + 1 } };
    }
  }
  if (!spec) return false;
  view.dispatch(state.update(spec, { scrollIntoView: true, userEvent: 'input.type' }));
  return true;
}

/** Whether the quote at `pos` closes a string (rather than opening the next one). */
function endsString(view, pos) {
  const lang = view.state.facet(languageFacet);
  if (!lang) return true;
  const { doc } = view.state, line = doc.lineAt(pos), off = pos - line.from;
  const plugin = view.plugin(lang.plugin);
  const tokens = [];
  tokenizeLine(lang.language, line.text, plugin ? lineState(lang.language, plugin.cache, doc, line.number) : lang.language.startState(), tokens);
  for (let i = 0; i < tokens.length; i += 3) if (tokens[i] < off && tokens[i + 1] === off + 1) return true;
  return false;
}

// Backspace between a pair of brackets or quotes deletes both.
function deleteBracketPair(view) {
  const { state } = view;
  const { main } = state.selection;
  if (state.readOnly || state.selection.ranges.length !== 1 || !main.empty) return false;
  const before = state.sliceDoc(main.head - 1, main.head);
  if (!OPENERS[before] || OPENERS[before] !== state.sliceDoc(main.head, main.head + 1)) return false;
  view.dispatch(state.update({ changes: { from: main.head - 1, to: main.head + 1 } }, { scrollIntoView: true, userEvent: 'delete.backward' }));
  return true;
}

// CodeMirror's standard keymap, with Enter from above.
const standardKeymap = [
  { key: 'ArrowLeft', run: cursorCharLeft, shift: selectCharLeft, preventDefault: true },
  { key: 'Mod-ArrowLeft', mac: 'Alt-ArrowLeft', run: cursorGroupLeft, shift: selectGroupLeft, preventDefault: true },
  { mac: 'Cmd-ArrowLeft', run: cursorLineBoundaryLeft, shift: selectLineBoundaryLeft, preventDefault: true },
  { key: 'ArrowRight', run: cursorCharRight, shift: selectCharRight, preventDefault: true },
  { key: 'Mod-ArrowRight', mac: 'Alt-ArrowRight', run: cursorGroupRight, shift: selectGroupRight, preventDefault: true },
  { mac: 'Cmd-ArrowRight', run: cursorLineBoundaryRight, shift: selectLineBoundaryRight, preventDefault: true },
  { key: 'ArrowUp', run: cursorLineUp, shift: selectLineUp, preventDefault: true },
  { mac: 'Cmd-ArrowUp', run: cursorDocStart, shift: selectDocStart },
  { mac: 'Ctrl-ArrowUp', run: cursorPageUp, shift: selectPageUp },
  { key: 'ArrowDown', run: cursorLineDown, shift: selectLineDown, preventDefault: true },
  { mac: 'Cmd-ArrowDown', run: cursorDocEnd, shift: selectDocEnd },
  { mac: 'Ctrl-ArrowDown', run: cursorPageDown, shift: selectPageDown },
  { key: 'PageUp', run: cursorPageUp, shift: selectPageUp },
  { key: 'PageDown', run: cursorPageDown, shift: selectPageDown },
  { key: 'Home', run: cursorLineBoundaryBackward, shift: selectLineBoundaryBackward, preventDefault: true },
  { key: 'Mod-Home', run: cursorDocStart, shift: selectDocStart },
  { key: 'End', run: cursorLineBoundaryForward, shift: selectLineBoundaryForward, preventDefault: true },
  { key: 'Mod-End', run: cursorDocEnd, shift: selectDocEnd },
  { key: 'Enter', run: insertNewlineAndIndent, shift: insertNewlineAndIndent },
  { key: 'Mod-a', run: selectAll },
  { key: 'Backspace', run: deleteCharBackward, shift: deleteCharBackward, preventDefault: true },
  { key: 'Delete', run: deleteCharForward, preventDefault: true },
  { key: 'Mod-Backspace', mac: 'Alt-Backspace', run: deleteGroupBackward, preventDefault: true },
  { key: 'Mod-Delete', mac: 'Alt-Delete', run: deleteGroupForward, preventDefault: true },
  { mac: 'Mod-Backspace', run: deleteLineBoundaryBackward, preventDefault: true },
  { mac: 'Mod-Delete', run: deleteLineBoundaryForward, preventDefault: true },
  ...emacsStyleKeymap.map((b) => ({ mac: b.key, run: b.run, shift: b.shift })),
];

const jsonSyntax = defineLanguage(jsonLanguage);
const javascriptSyntax = defineLanguage(javascriptLanguage);

const base = [
  lineNumbers(),
  highlightActiveLineGutter(),
  highlightActiveLine(),
  history(),
  drawSelection(),
  EditorView.inputHandler.of(handleInput),
  diagnosticsField,
  EditorState.tabSize.of(2),
  keymap.of([{ key: 'Backspace', run: deleteBracketPair }, ...standardKeymap, ...historyKeymap, indentWithTab, { key: 'Mod-/', run: toggleComment }]),
  theme,
];

let view = null;
let current = null; // the key of the shown tab
let onChange = () => {};
const states = new Map(); // tab key -> EditorState (the shown one is view.state)
const pending = new Map(); // tab key -> { text, diagnostics } not applied yet

function newState(text, lang) {
  const syntax = lang === 'javascript' ? javascriptSyntax : jsonSyntax;
  return EditorState.create({ doc: text, extensions: [base, syntax.extension] });
}

function stateOf(key) {
  return key === current && view ? view.state : states.get(key);
}

function putState(key, state) {
  if (key === current && view) view.setState(state);
  else states.set(key, state);
}

// Replaces the document when it differs from `text` (a change from outside the editor).
function syncText(key, text) {
  const state = stateOf(key);
  if (!state || state.doc.toString() === text) return;
  const old = state.doc.toString();
  let from = 0;
  while (from < old.length && from < text.length && old[from] === text[from]) from++;
  let endOld = old.length, endNew = text.length;
  while (endOld > from && endNew > from && old[endOld - 1] === text[endNew - 1]) { endOld--; endNew--; }
  const spec = { changes: { from, to: endOld, insert: text.slice(from, endNew) }, annotations: external.of(true) };
  if (key === current && view) view.dispatch(spec);
  else states.set(key, state.update(spec).state);
}

function applyPending(key) {
  const p = pending.get(key);
  const state = stateOf(key);
  if (!p || !state || state.doc.toString() !== p.text) return;
  pending.delete(key);
  const len = state.doc.length;
  // Each marks the token it starts at (at least one character; at the very end, the last one).
  const diagnostics = p.diagnostics.map((d) => {
    const from = Math.max(0, Math.min(d.from, len - 1));
    const to = Math.min(Math.max(tokenEnd(state, from), from + 1), len);
    return { from, to, severity: d.severity, message: d.message };
  }).filter((d) => d.to > d.from);
  const spec = { effects: setDiagnostics.of(diagnostics) };
  if (key === current && view) view.dispatch(spec);
  else states.set(key, state.update(spec).state);
}

// The end of the token at `pos` (a string, a number, a word), so the marker underlines it.
function tokenEnd(state, pos) {
  const line = state.doc.lineAt(pos);
  const lang = state.facet(languageFacet);
  if (lang) {
    const tokens = [];
    tokenizeLine(lang.language, line.text, lang.language.startState(), tokens);
    for (let i = 0; i < tokens.length; i += 3) {
      if (line.from + tokens[i] === pos && tokens[i + 1] - tokens[i] <= 200) return line.from + tokens[i + 1];
    }
  }
  const m = /^[^\s,:{}\[\]]+/.exec(state.sliceDoc(pos, line.to));
  return pos + (m ? m[0].length : 1);
}

/** Creates the editor in `parent`; `change(text)` is called after each edit by the user. */
export function create(parent, change) {
  onChange = change;
  view = new EditorView({
    parent,
    state: EditorState.create({ doc: '' }),
    dispatchTransactions(trs, v) {
      v.update(trs);
      if (trs.some((tr) => tr.docChanged && !tr.annotation(external))) onChange(v.state.doc.toString());
    },
  });
}

/** Shows the tab `key` with `text` (creating its state in language `lang` the first time). */
export function show(key, text, lang) {
  if (!view) return;
  if (key !== current) {
    if (current !== null) states.set(current, view.state);
    const state = states.get(key) || newState(text, lang);
    states.delete(key);
    current = key;
    view.setState(state);
  }
  syncText(key, text);
  applyPending(key);
}

/** Sets the diagnostics of tab `key` for the document `text`: a JSON list of {from, severity, message}. */
export function lint(key, text, json) {
  pending.set(key, { text, diagnostics: JSON.parse(json) });
  applyPending(key);
}

/** Selects `from..to` (when empty: the token at `from`) in the shown tab, scrolled to the middle; with `focus`, focuses the editor. */
export function select(from, to, focus) {
  if (!view) return;
  const len = view.state.doc.length;
  const anchor = Math.max(0, Math.min(from, len));
  // An empty range selects the token there (a state's name, the place of a problem), so it stands out.
  const head = to > from ? Math.min(to, len) : Math.min(tokenEnd(view.state, anchor), len);
  // A revealed place goes to the middle of the editor, so it is easy to see.
  view.dispatch({ selection: { anchor, head }, effects: EditorView.scrollIntoView(anchor, { y: 'center' }) });
  if (focus) view.focus();
}


// Test hooks: what a person sees, read from the editor state.
export function text() { return view ? view.state.doc.toString() : ''; }
export function cursorLine() { return view ? view.state.doc.lineAt(view.state.selection.main.head).number : 0; }
export function tab() { return current; }
export function selectedText() {
  return view ? view.state.sliceDoc(view.state.selection.main.from, view.state.selection.main.to) : '';
}
