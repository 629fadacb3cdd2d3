// The page's code editor: CodeMirror 6, bundled by `cargo xtask build` (esbuild) into one script that
// defines the global `SfnEditor`, which src/editor/mod.rs drives through wasm-bindgen.
//
// One EditorView; each tab (the definition, each Lambda module, the input) keeps its own EditorState,
// so each keeps its own undo history. Diagnostics come from the Rust side as absolute offsets.
import { EditorState, Annotation, StateField, StateEffect, RangeSet } from '@codemirror/state';
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection,
  Decoration, gutter, GutterMarker,
} from '@codemirror/view';
import { standardKeymap, history, historyKeymap, indentWithTab, toggleComment } from '@codemirror/commands';
import {
  bracketMatching, indentOnInput, indentUnit, syntaxHighlighting, HighlightStyle, syntaxTree, StreamLanguage,
} from '@codemirror/language';
import { closeBrackets, closeBracketsKeymap } from '@codemirror/autocomplete';
import { tags as t } from '@lezer/highlight';

// Colours of style/main.css: ink #16191f, muted #5f6b7a, line #d5dbe1, accent #ec7211.
const highlight = HighlightStyle.define([
  { tag: t.propertyName, color: '#0b5cad' },
  { tag: [t.string, t.special(t.string)], color: '#1d7a3a' },
  { tag: [t.number, t.bool, t.null, t.atom], color: '#b35900' },
  { tag: [t.keyword, t.controlKeyword, t.definitionKeyword, t.moduleKeyword, t.operatorKeyword], color: '#8a3ab9' },
  { tag: t.comment, color: '#5f6b7a', fontStyle: 'italic' },
  { tag: [t.function(t.variableName), t.function(t.propertyName)], color: '#0a6e8a' },
  { tag: t.invalid, color: '#d13212' },
  // A JSONata expression ("{% ... %}") in a definition stands out from plain strings.
  { tag: t.meta, color: '#8a3ab9', backgroundColor: '#f6f0fb' },
]);

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

// Indentation by bracket depth: the brackets open before the line, one less before a closing one.
function trackDepth(state, ch) {
  if (ch === '{' || ch === '[' || ch === '(') state.depth++;
  else if ((ch === '}' || ch === ']' || ch === ')') && state.depth > 0) state.depth--;
}

const indentAfter = (state, textAfter, context) =>
  Math.max(0, state.depth - (/^\s*[}\])]/.test(textAfter) ? 1 : 0)) * context.unit;

// JSON for the definition and the input: property names, strings, numbers, literals, brackets.
// (A tokenizer rather than Lezer's JSON grammar: the LR runtime it needs weighs ~8 KB compressed.)
const jsonLanguage = StreamLanguage.define({
  name: 'json',
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
  indent: indentAfter,
  languageData: { indentOnInput: /^\s*[\}\]]$/ },
});

// JavaScript for the Lambda modules: a small tokenizer (Lezer's full JavaScript grammar weighs ~25 KB
// compressed, more than this page can afford); strings, template literals, comments, numbers, keywords.
const KEYWORDS = new Set(('async await break case catch class const continue debugger default delete do else export ' +
  'extends finally for function if import in instanceof let new of return static super switch this throw try ' +
  'typeof var void while with yield').split(' '));
const ATOMS = new Set(['true', 'false', 'null', 'undefined', 'NaN', 'Infinity']);
const javascriptLanguage = StreamLanguage.define({
  name: 'javascript',
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
  indent: indentAfter,
  languageData: { commentTokens: { line: '//', block: { open: '/*', close: '*/' } }, indentOnInput: /^\s*[\}\])]$/ },
});

const base = [
  lineNumbers(),
  highlightActiveLineGutter(),
  highlightActiveLine(),
  history(),
  drawSelection(),
  indentOnInput(),
  bracketMatching(),
  closeBrackets(),
  syntaxHighlighting(highlight),
  diagnosticsField,
  EditorState.tabSize.of(2),
  indentUnit.of('  '),
  keymap.of([...closeBracketsKeymap, ...standardKeymap, ...historyKeymap, indentWithTab, { key: 'Mod-/', run: toggleComment }]),
  theme,
];

let view = null;
let current = null; // the key of the shown tab
let onChange = () => {};
const states = new Map(); // tab key -> EditorState (the shown one is view.state)
const pending = new Map(); // tab key -> { text, diagnostics } not applied yet

function newState(text, lang) {
  const language = lang === 'javascript' ? javascriptLanguage : jsonLanguage;
  return EditorState.create({ doc: text, extensions: [base, language] });
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
  const node = syntaxTree(state).resolveInner(pos, 1);
  if (node && node.from === pos && node.to > pos && node.to - pos <= 200 && !node.firstChild) return node.to;
  const line = state.doc.lineAt(pos);
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
