// The page's code editor, bundled by `cargo xtask build` (esbuild) into one script that defines the
// global `SfnEditor`, which src/editor/mod.rs drives through wasm-bindgen.
//
// Each tab (the definition, each Lambda module, the input, the mocks) is a view of its own: a scroller
// holding a sticky gutter (line numbers, diagnostic markers) and a body in which a <textarea> (the
// text transparent, the caret visible) lies over a layer that draws only the visible lines,
// highlighted. The textarea is as large as its text and never scrolls itself: the scroller moves it,
// the layer and the gutter together, so what is drawn never lags behind the caret.
//
// Typing, the selection, the clipboard and IME stay the browser's. Edits that the editor makes
// (auto-indent, closing brackets, indentation, comments, undo) go through
// `document.execCommand('insertText')`, which Chromium lays out incrementally (setting the value of a
// 230 KB textarea costs ~200 ms, an insertText ~8 ms). The undo history is our own, per tab: the
// browser's is one stack per page in Chromium (an undo in one textarea can eat another's step), and
// changes from outside (a new example, an import) would break it.
//
// Highlighting, bracket matching and indentation come from the two small line tokenizers below; their
// state at the start of each line is cached from the first line an edit changed, so a keystroke in a
// 10,000-line document re-tokenizes only the lines drawn.

// A line of text as the tokenizers read it.
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
      // A JSONata expression ("{% ... %}") in a definition stands out from plain strings.
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
  comment: '//',
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
      if (stream.match(/^\s*\(/, false)) return 'function';
      return 'variableName';
    }
    return null;
  },
};

const UNTYPED = new Set([null, undefined, 'brace', 'punctuation']); // where a bracket is a bracket
const UNSTYLED = new Set(['brace', 'punctuation', 'variableName']);
const MAX_SCAN = 10000; // how far bracket matching looks for the partner
const PARTNER = { '(': ')', '[': ']', '{': '}', ')': '(', ']': '[', '}': '{' };
const OPENERS = { '(': ')', '[': ']', '{': '}', '"': '"', "'": "'", '`': '`' };
const CLOSERS = ')]}';
const UNIT = 2; // columns per indentation level
const indentation = (cols) => ' '.repeat(Math.max(0, cols));
const clamp = (x, lo, hi) => Math.max(lo, Math.min(x, hi));
const esc = (s) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

// ---------------------------------------------------------------------------------------------------
// A view's text: its lines (start offsets) and the tokenizer's state at the start of each line so far.

/** Recomputes the line starts and the longest line's length (in columns, tabs counted as 2). */
function measureLines(v) {
  const text = v.text, starts = [0];
  let longest = 0;
  for (let i = text.indexOf('\n'); ; i = text.indexOf('\n', i + 1)) {
    const end = i < 0 ? text.length : i;
    const from = starts[starts.length - 1];
    if (end - from > longest) longest = end - from;
    if (i < 0) break;
    starts.push(i + 1);
  }
  v.starts = starts;
  v.longest = longest;
}

/** The 0-based line holding offset `pos`. */
function lineOf(v, pos) {
  const s = v.starts;
  let lo = 0, hi = s.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (s[mid] <= pos) lo = mid; else hi = mid - 1;
  }
  return lo;
}
const lineStart = (v, n) => v.starts[n];
const lineEnd = (v, n) => (n + 1 < v.starts.length ? v.starts[n + 1] - 1 : v.text.length);
const lineText = (v, n) => v.text.slice(lineStart(v, n), lineEnd(v, n));

/** The tokenizer's state at the start of line `n` (a copy). */
function stateOfLine(v, n) {
  const cache = v.cache;
  while (cache.length <= n) {
    const k = cache.length;
    const state = { ...cache[k - 1] };
    tokenizeLine(v.lang, lineText(v, k - 1), state, null);
    cache.push(state);
  }
  return { ...cache[n] };
}

/** The typed tokens of line `n` as `[from, to, type, ...]` (offsets in the line). */
function lineTokens(v, n) {
  const out = [];
  tokenizeLine(v.lang, lineText(v, n), stateOfLine(v, n), out);
  return out;
}

/** The tokenizer's state at offset `pos`. */
function stateAt(v, pos) {
  const n = lineOf(v, pos), state = stateOfLine(v, n);
  tokenizeLine(v.lang, v.text.slice(lineStart(v, n), pos), state, null);
  return state;
}

/** Whether `pos` is a structural bracket (not inside a string or comment), from the line's tokens. */
function isBracketAt(v, pos) {
  if (!PARTNER[v.text.charAt(pos)]) return false;
  const n = lineOf(v, pos), off = pos - lineStart(v, n), tokens = lineTokens(v, n);
  for (let i = 0; i < tokens.length; i += 3) {
    if (tokens[i] <= off && off < tokens[i + 1]) return UNTYPED.has(tokens[i + 2]);
  }
  return true;
}

/** The bracket matching the one at `pos`: its position, or -1 when unmatched, or null when unknown. */
function matchBracket(v, pos) {
  const { text } = v;
  const open = '([{'.includes(text.charAt(pos));
  const dir = open ? 1 : -1;
  const stack = [];
  let n = lineOf(v, pos), from = lineStart(v, n), to = lineEnd(v, n);
  let tokens = lineTokens(v, n);
  let ti = open ? 0 : tokens.length - 3;
  const structural = (p) => { // tokens cover the line in order; advance `ti` to the token around p
    const off = p - from;
    if (dir > 0) { while (ti < tokens.length && tokens[ti + 1] <= off) ti += 3; return !(ti < tokens.length && tokens[ti] <= off) || UNTYPED.has(tokens[ti + 2]); }
    while (ti >= 0 && tokens[ti] > off) ti -= 3;
    return !(ti >= 0 && off < tokens[ti + 1]) || UNTYPED.has(tokens[ti + 2]);
  };
  for (let p = pos, scanned = 0; scanned < MAX_SCAN; p += dir, scanned++) {
    if (p < from || p > to) {
      if (p < 0 || p >= text.length) return -1;
      n += dir;
      from = lineStart(v, n); to = lineEnd(v, n);
      tokens = lineTokens(v, n);
      ti = dir > 0 ? 0 : tokens.length - 3;
    }
    const ch = text.charAt(p);
    if (!PARTNER[ch] || !structural(p)) continue;
    if ('([{'.includes(ch) === open) stack.push(ch);
    else if (PARTNER[ch] !== stack.pop()) return -1;
    if (!stack.length) return p;
  }
  return null;
}

/** Whether the quote at `pos` closes a string (rather than opening the next one). */
function endsString(v, pos) {
  const n = lineOf(v, pos), off = pos - lineStart(v, n), tokens = lineTokens(v, n);
  for (let i = 0; i < tokens.length; i += 3) if (tokens[i] < off && tokens[i + 1] === off + 1) return true;
  return false;
}

// The end of the token at `pos` (a string, a number, a word), so a diagnostic or a selection covers it.
function tokenEnd(v, pos) {
  const n = lineOf(v, pos), from = lineStart(v, n), line = lineText(v, n);
  const tokens = [];
  tokenizeLine(v.lang, line, v.lang.startState(), tokens);
  for (let i = 0; i < tokens.length; i += 3) {
    if (from + tokens[i] === pos && tokens[i + 1] - tokens[i] <= 200) return from + tokens[i + 1];
  }
  const m = /^[^\s,:{}\[\]]+/.exec(line.slice(pos - from));
  return pos + (m ? m[0].length : 1);
}

// ---------------------------------------------------------------------------------------------------
// The views.

let host = null;
let current = null; // the shown view
let onChange = () => {};
const views = new Map(); // tab key -> view
const pending = new Map(); // tab key -> { text, diagnostics } not applied yet
// The text's metrics, read from the page's style once a view is shown: line height, character width,
// the text's padding in the textarea (the layer draws at the same place).
const M = { lh: 19.5, cw: 0, top: 4, left: 6 };

function label(key) {
  return key.startsWith('fn:') ? `Lambda ${key.slice(3)}` : key.charAt(0).toUpperCase() + key.slice(1);
}

function el(tag, cls, parent) {
  const e = document.createElement(tag);
  e.className = cls;
  if (parent) parent.appendChild(e);
  return e;
}

function makeView(key, text, lang) {
  const root = el('div', 'ed', host);
  root.hidden = true;
  const sizer = el('div', 'ed-sizer', root);
  const gutter = el('div', 'ed-gutter', sizer);
  const body = el('div', 'ed-body', sizer);
  const layer = el('div', 'ed-layer', body);
  const ta = el('textarea', 'ed-input', body);
  gutter.setAttribute('aria-hidden', 'true');
  layer.setAttribute('aria-hidden', 'true');
  for (const [k, val] of [['wrap', 'off'], ['spellcheck', 'false'], ['autocapitalize', 'off'], ['autocomplete', 'off'],
    ['autocorrect', 'off'], ['aria-label', `${label(key)} editor`]]) ta.setAttribute(k, val);
  ta.value = text;
  const v = {
    key, root, gutter, body, layer, ta,
    lang: lang === 'javascript' ? javascriptLanguage : jsonLanguage,
    text: ta.value, starts: [0], longest: 0, cache: [],
    diags: [], // { from, to, severity, message }, sorted by `from`
    done: [], undone: [], // undo groups: { changes: [{ from, del, ins }], before, after, kind, time }
    sel: null, kind: null, selBefore: null, applying: false, external: false, edited: false, escaped: false,
    first: 0, last: -1, reveal: false, raf: 0, scroll: [0, 0],
    top: 0, height: 0, wide: 0, drawn: [], gutterHTML: '', // what is drawn, and the scroller's place and size then
  };
  v.cache.push(v.lang.startState());
  measureLines(v);

  on(v, ta, 'keydown', (e) => keydown(v, e));
  on(v, ta, 'beforeinput', (e) => {
    if (e.inputType === 'historyUndo' || e.inputType === 'historyRedo') {
      e.preventDefault();
      history(v, e.inputType === 'historyRedo');
      return;
    }
    v.kind = e.inputType;
    v.selBefore = selection(v); // where the edit is (a diff alone cannot tell in a run of equal characters)
  });
  on(v, ta, 'input', () => onInput(v));
  on(v, ta, 'paste', (e) => {
    const data = e.clipboardData && e.clipboardData.getData('text/plain');
    if (!data) return;
    e.preventDefault();
    v.selBefore = selection(v);
    v.kind = null;
    replace(v, selFrom(v), selTo(v), data);
    v.reveal = true;
    schedule(v);
  });
  // The underline's message as the textarea's title when the pointer is over it (the layer is under it).
  ta.addEventListener('mousemove', (e) => {
    const pos = posAt(v, e.offsetX, e.offsetY);
    const title = v.diags.filter((d) => d.from <= pos && pos < d.to).map((d) => d.message).join('\n');
    if (ta.title !== title) ta.title = title;
  });
  on(v, ta, 'focus', () => { root.classList.add('ed-focused'); schedule(v); });
  on(v, ta, 'blur', () => { root.classList.remove('ed-focused'); schedule(v); });
  on(v, ta, 'mouseup', () => schedule(v));
  ta.addEventListener('scroll', () => { ta.scrollTop = 0; ta.scrollLeft = 0; }); // it never scrolls itself
  on(v, root, 'scroll', () => {
    v.top = root.scrollTop;
    const [from, to] = visibleLines(v);
    if (from < v.first || Math.min(to, v.starts.length - 1) > v.last) draw(v);
  });
  // A click on a line number selects that line.
  on(v, gutter, 'mousedown', (e) => {
    if (e.button !== 0) return;
    e.preventDefault();
    const n = clamp(Math.floor((e.clientY - gutter.getBoundingClientRect().top - M.top) / M.lh), 0, v.starts.length - 1);
    ta.focus({ preventScroll: true });
    setSelection(v, lineStart(v, n), n + 1 < v.starts.length ? lineStart(v, n + 1) : v.text.length);
    draw(v);
  });
  return v;
}

/**
 * The selection as `[anchor, head]`. Chromium computes a focused textarea's selection offsets from its
 * text on each read (~1 ms each on W1), so it is read once per event: every entry point (an event
 * listener, the frame callback, the API) forgets it first, and the editor's own changes set it.
 */
function selection(v) {
  const { ta } = v;
  if (!v.sel) {
    const start = ta.selectionStart, end = ta.selectionEnd;
    v.sel = start !== end && ta.selectionDirection === 'backward' ? [end, start] : [start, end];
  }
  return v.sel;
}
const selFrom = (v) => Math.min(...selection(v));
const selTo = (v) => Math.max(...selection(v));

function setSelection(v, anchor, head = anchor) {
  v.ta.setSelectionRange(Math.min(anchor, head), Math.max(anchor, head), head < anchor ? 'backward' : 'forward');
  v.sel = [anchor, head];
}

/** Listens to `type` on `target` for view `v`, its selection read afresh. */
function on(v, target, type, listener) {
  target.addEventListener(type, (e) => { v.sel = null; listener(e); });
}

/** The offset under the point `x, y` of the textarea (the character the point is on). */
function posAt(v, x, y) {
  const n = clamp(Math.floor((y - M.top) / M.lh), 0, v.starts.length - 1);
  const line = lineText(v, n), target = (x - M.left) / (M.cw || 8);
  let i = 0, col = 0;
  for (; i < line.length; i++) {
    const w = line.charAt(i) === '\t' ? UNIT - (col % UNIT) : 1;
    if (col + w > target) break;
    col += w;
  }
  return lineStart(v, n) + i;
}

/** The column of offset `pos` in its line (tabs to the next multiple of 2). */
function columnOf(v, pos) {
  const from = lineStart(v, lineOf(v, pos));
  let col = 0;
  for (let i = from; i < pos; i++) col = v.text.charAt(i) === '\t' ? col + UNIT - (col % UNIT) : col + 1;
  return col;
}

// ---------------------------------------------------------------------------------------------------
// Changes: each edit of the textarea (typed, pasted, or made by a command through `replace`) is read
// back as one change `{ from, del, ins }`, recorded for undo and handed to the page.

/** Replaces `from..to` by `text` as an edit of the textarea (undoable, and incremental for the browser's layout). */
function replace(v, from, to, text) {
  if (from === to && !text) return;
  const { ta } = v;
  v.edited = true;
  v.selBefore = v.selBefore || v.sel; // the selection the command read, before it changes
  // Chromium inserts a paragraph per line break, each costing as much as laying the whole text out:
  // a text of many lines is set in one go (no incremental layout, but no cost per line either).
  let breaks = 0;
  for (let i = text.indexOf('\n'); i >= 0 && breaks <= 4; i = text.indexOf('\n', i + 1)) breaks++;
  if (document.activeElement === ta && breaks <= 4 && text.length <= 4000) {
    ta.setSelectionRange(from, to);
    v.sel = null;
    if (document.execCommand(text ? 'insertText' : 'delete', false, text)) return; // `input` has run
  }
  ta.setRangeText(text, from, to, 'end');
  v.sel = null;
  onInput(v);
}

function onInput(v) {
  const now = v.ta.value, old = v.text;
  if (now === old) return;
  // The changed span: the common prefix (not past where the selection was) and suffix.
  const sel = v.selBefore;
  const limit = Math.min(old.length, now.length, sel ? Math.min(sel[0], sel[1]) : old.length);
  let from = 0;
  while (from < limit && old.charCodeAt(from) === now.charCodeAt(from)) from++;
  let endOld = old.length, endNew = now.length;
  while (endOld > from && endNew > from && old.charCodeAt(endOld - 1) === now.charCodeAt(endNew - 1)) { endOld--; endNew--; }
  const change = { from, del: old.slice(from, endOld), ins: now.slice(from, endNew) };
  if (!v.sel) v.sel = [endNew, endNew]; // where an edit leaves the cursor (read again before the frame is drawn)
  v.cache.length = Math.min(v.cache.length, lineOf(v, from) + 1);
  v.text = now;
  measureLines(v);
  mapDiagnostics(v, change);
  if (!v.applying) {
    record(v, change);
    if (!v.external) onChange(now);
  }
  v.kind = null;
  v.selBefore = null;
  if (!v.external) v.reveal = true;
  draw(v);
  schedule(v);
}

// Keeps the diagnostics on their text until the next lint (positions in a replaced span go to its edges).
function mapDiagnostics(v, { from, del, ins }) {
  const end = from + del.length, delta = ins.length - del.length;
  const map = (p, right) => (p <= from ? p : p >= end ? p + delta : right ? from + ins.length : from);
  v.diags = v.diags.map((d) => ({ ...d, from: map(d.from, false), to: map(d.to, true) })).filter((d) => d.to > d.from);
}

// Typing, deleting and the editor's own typing commands group into one undo step while they follow
// each other within half a second.
const GROUPED = { insertText: 'type', insertCompositionText: 'type', type: 'type', deleteContentBackward: 'del', deleteContentForward: 'del' };

function record(v, change) {
  const now = Date.now(), kind = GROUPED[v.kind] || null;
  const group = v.done[v.done.length - 1];
  v.undone.length = 0;
  const last = group && group.changes[group.changes.length - 1];
  // Typing over a selection is a step of its own.
  const overSelection = v.selBefore ? v.selBefore[0] !== v.selBefore[1] : v.kind === 'insertText' && change.del !== '';
  if (kind && group && group.kind === kind && !overSelection && now - group.time < 500 && merge(last, change)) {
    group.time = now;
  } else {
    // Where the selection was, when not read: the replaced text (a caret where a key deleted a character).
    const { from, del } = change, end = from + del.length;
    const before = v.selBefore || (v.kind === 'deleteContentBackward' ? [end, end] : v.kind === 'deleteContentForward' ? [from, from] : [from, end]);
    v.done.push({ changes: [change], before, kind, time: now });
    if (v.done.length > 200) v.done.shift();
  }
  // The cursor after the inserted text (the editor's own commands set theirs after the change).
  v.done[v.done.length - 1].after = [change.from + change.ins.length, change.from + change.ins.length];
}

/** Merges change `c` into the change `p` before it when they touch: one change that makes both. */
function merge(p, c) {
  const end = p.from + p.ins.length;
  if (c.from === end) { p.del += c.del; p.ins += c.ins; return true; } // goes on after it
  if (c.from === p.from && c.del === p.ins) { p.ins = c.ins; return true; } // replaces what it inserted (IME)
  if (!c.ins && c.from >= p.from && c.from + c.del.length === end) { p.ins = p.ins.slice(0, c.from - p.from); return true; } // deletes back into it
  if (!c.ins && c.from + c.del.length === p.from) { p.from = c.from; p.del = c.del + p.del; return true; } // deletes back before it
  return false;
}

/** Undoes (or redoes) the last step of the view's own history. */
function history(v, redo) {
  const group = (redo ? v.undone : v.done).pop();
  if (!group) return;
  v.applying = true;
  const changes = redo ? group.changes : [...group.changes].reverse();
  for (const c of changes) {
    if (redo) replace(v, c.from, c.from + c.del.length, c.ins);
    else replace(v, c.from, c.from + c.ins.length, c.del);
  }
  v.applying = false;
  group.time = 0; // what is typed next is a step of its own
  (redo ? v.done : v.undone).push(group);
  const [anchor, head] = redo ? group.after : group.before;
  setSelection(v, anchor, head);
  onChange(v.text);
  v.reveal = true;
  draw(v);
  schedule(v);
}

/** Replaces the text when it differs from `text` (a change from outside the editor: undoable, not handed back). */
function sync(v, text) {
  if (text === v.text) return;
  const old = v.text;
  let from = 0;
  while (from < old.length && from < text.length && old.charCodeAt(from) === text.charCodeAt(from)) from++;
  let endOld = old.length, endNew = text.length;
  while (endOld > from && endNew > from && old.charCodeAt(endOld - 1) === text.charCodeAt(endNew - 1)) { endOld--; endNew--; }
  v.external = true;
  v.kind = null;
  v.selBefore = selection(v);
  replace(v, from, endOld, text.slice(from, endNew));
  v.external = false;
}

// ---------------------------------------------------------------------------------------------------
// Commands.

function keydown(v, e) {
  if (e.isComposing || e.keyCode === 229) return;
  const escaped = v.escaped;
  v.escaped = e.key === 'Escape'; // Escape then Tab moves the focus on, as in other editors
  v.selBefore = null; // read by the commands that need it (each read costs: see `selection`)
  v.edited = false;
  v.kind = null;
  const mod = e.ctrlKey || e.metaKey;
  const code = e.code || '';
  const letter = /^[a-z]$/i.test(e.key) ? e.key.toLowerCase() : code.startsWith('Key') ? code.slice(3).toLowerCase() : e.key;
  // The cursor is revealed after a key, unless it is a modifier alone, select all or copy.
  v.reveal = !/^(Shift|Control|Alt|Meta|CapsLock|Escape)$/.test(e.key) && !(mod && (letter === 'a' || letter === 'c'));
  let done = false;
  if (mod && !e.altKey) {
    if (letter === 'z' || (letter === 'y' && !e.shiftKey)) { history(v, letter === 'y' || e.shiftKey); done = true; }
    else if (e.key === '/') done = toggleComment(v);
  } else if (!mod && !e.altKey) {
    if (e.key === 'Enter') done = newline(v);
    else if (e.key === 'Tab' && !escaped) done = indent(v, e.shiftKey);
    else if (e.key === 'Backspace' && !e.shiftKey) done = deletePair(v);
    else if (e.key === 'Home') done = home(v, e.shiftKey);
    else if (e.key === 'PageUp' || e.key === 'PageDown') done = page(v, e.key === 'PageDown' ? 1 : -1, e.shiftKey);
  }
  // A character (AltGr, which is Ctrl+Alt on Windows, types some brackets).
  if (!done && e.key.length === 1 && !e.metaKey && !(e.ctrlKey && !e.altKey)) done = typed(v, e.key);
  if (done) {
    e.preventDefault();
    if (v.edited && v.done.length) v.done[v.done.length - 1].after = selection(v);
  }
  schedule(v);
}

// Typing: brackets and quotes are closed as they are opened (or wrap the selection), a closing one
// typed before the same one steps over it, and a closing bracket typed on a blank line re-indents it.
function typed(v, ch) {
  const isQuote = (v.lang.quotes || '"').includes(ch), isCloser = CLOSERS.includes(ch);
  if (!isQuote && !OPENERS[ch] && !isCloser) return false;
  const { text } = v;
  const from = selFrom(v), to = selTo(v);
  const next = text.charAt(to), prev = from > 0 ? text.charAt(from - 1) : '';
  v.kind = 'type';
  if (from === to && next === ch && (isCloser || (isQuote && endsString(v, to)))) {
    setSelection(v, to + 1); // step over
    return true;
  }
  if ((OPENERS[ch] && !'"\'`'.includes(ch)) || isQuote) {
    const close = OPENERS[ch];
    if (from !== to) {
      replace(v, from, to, ch + text.slice(from, to) + close);
      setSelection(v, from + 1, to + 1);
      return true;
    }
    if ((next === '' || /[\s)\]}:;,]/.test(next)) && !(isQuote && /[\w\\'"`]/.test(prev))) {
      replace(v, from, to, ch + close);
      setSelection(v, from + 1);
      return true;
    }
  }
  if (isCloser && from === to) {
    const start = lineStart(v, lineOf(v, from));
    if (/^\s*$/.test(text.slice(start, from))) {
      const indent = indentation(((stateAt(v, start).depth || 0) - 1) * UNIT);
      replace(v, start, to, indent + ch);
      setSelection(v, start + indent.length + 1);
      return true;
    }
  }
  v.kind = null;
  return false;
}

// Enter: a new line indented by the bracket depth; between a pair of brackets, the closing one goes to a
// line of its own.
function newline(v) {
  const { text, ta } = v;
  let from = selFrom(v), to = selTo(v);
  const start = lineStart(v, lineOf(v, from));
  while (from > start && /[ \t]/.test(text.charAt(from - 1))) from--; // no trailing spaces
  const depth = stateAt(v, from).depth || 0;
  const end = lineEnd(v, lineOf(v, to));
  while (to < end && /[ \t]/.test(text.charAt(to))) to++;
  const next = text.charAt(to);
  const closes = CLOSERS.includes(next) && next !== '';
  const explode = closes && from > 0 && PARTNER[next] === text.charAt(from - 1);
  const inner = indentation((depth - (closes && !explode ? 1 : 0)) * UNIT);
  v.kind = 'type';
  replace(v, from, to, '\n' + inner + (explode ? '\n' + indentation((depth - 1) * UNIT) : ''));
  setSelection(v, from + 1 + inner.length);
  return true;
}

// Backspace between a pair of brackets or quotes deletes both.
function deletePair(v) {
  const { text } = v, pos = selFrom(v);
  if (pos !== selTo(v) || pos === 0) return false;
  const before = text.charAt(pos - 1);
  if (!OPENERS[before] || OPENERS[before] !== text.charAt(pos)) return false;
  v.kind = 'deleteContentBackward';
  replace(v, pos - 1, pos + 1, '');
  return true;
}

/** The lines the selection covers, as `[first, last]` (a selection ending at a line's start leaves that line out). */
function selectedLines(v) {
  const first = lineOf(v, selFrom(v));
  let last = lineOf(v, selTo(v));
  if (last > first && selTo(v) === lineStart(v, last)) last--;
  return [first, last];
}

/**
 * Replaces lines `first..last` by `lines`, where `edits[i] = [column, delta]` says that line `first + i`
 * grew by `delta` at `column`; the selection follows its text.
 */
function replaceLines(v, first, last, lines, edits) {
  const [anchor, head] = selection(v);
  const map = (pos) => {
    const n = lineOf(v, pos);
    if (n < first) return pos;
    let shift = 0;
    for (let i = first; i <= Math.min(n, last); i++) {
      const [col, delta] = edits[i - first];
      const off = pos - lineStart(v, i);
      if (i < n || off > col || (off === col && delta > 0)) shift += delta < 0 && i === n ? Math.max(delta, col - off) : delta;
    }
    return pos + shift;
  };
  const a = map(anchor), h = map(head);
  replace(v, lineStart(v, first), lineEnd(v, last), lines.join('\n'));
  setSelection(v, a, h);
}

// Tab / Shift-Tab: indents / dedents the selected lines by one unit.
function indent(v, less) {
  const [first, last] = selectedLines(v);
  const lines = [], edits = [];
  for (let n = first; n <= last; n++) {
    const line = lineText(v, n);
    if (!less) { lines.push(indentation(UNIT) + line); edits.push([0, UNIT]); continue; }
    const remove = line.charAt(0) === '\t' ? 1 : /^ {0,2}/.exec(line)[0].length;
    lines.push(line.slice(remove));
    edits.push([0, -remove]);
  }
  if (less && edits.every((e) => e[1] === 0)) return true;
  v.kind = null;
  replaceLines(v, first, last, lines, edits);
  return true;
}

// Mod-/: comments the selected lines out with `//` (JavaScript), or back in when they all are.
function toggleComment(v) {
  const token = v.lang.comment;
  if (!token) return false;
  const [first, last] = selectedLines(v);
  const texts = [];
  for (let n = first; n <= last; n++) texts.push(lineText(v, n));
  const filled = texts.filter((t) => /\S/.test(t));
  const considered = filled.length ? filled : texts;
  const commented = considered.every((t) => t.trimStart().startsWith(token));
  const column = Math.min(...considered.map((t) => /^\s*/.exec(t)[0].length));
  const lines = [], edits = [];
  for (const t of texts) {
    const at = /^\s*/.exec(t)[0].length;
    if (!considered.includes(t)) { lines.push(t); edits.push([0, 0]); continue; }
    if (commented) {
      const len = token.length + (t.charAt(at + token.length) === ' ' ? 1 : 0);
      lines.push(t.slice(0, at) + t.slice(at + len));
      edits.push([at, -len]);
    } else {
      lines.push(t.slice(0, column) + token + ' ' + t.slice(column));
      edits.push([column, token.length + 1]);
    }
  }
  v.kind = null;
  replaceLines(v, first, last, lines, edits);
  return true;
}

// Home: to the end of the line's indentation, or (when there) to its start.
function home(v, extend) {
  const [anchor, head] = selection(v);
  const start = lineStart(v, lineOf(v, head));
  const indentEnd = start + /^\s*/.exec(lineText(v, lineOf(v, head)))[0].length;
  const to = head === indentEnd ? start : indentEnd;
  setSelection(v, extend ? anchor : to, to);
  return true;
}

// PageUp / PageDown: the cursor and the view move by a page (the textarea has no page of its own).
function page(v, dir, extend) {
  const [anchor, head] = selection(v);
  const rows = Math.max(1, Math.floor(v.root.clientHeight / M.lh) - 1);
  const n = lineOf(v, head), col = head - lineStart(v, n);
  const m = clamp(n + dir * rows, 0, v.starts.length - 1);
  const to = Math.min(lineStart(v, m) + col, lineEnd(v, m));
  setSelection(v, extend ? anchor : to, to);
  v.root.scrollTop += (m - n) * M.lh;
  return true;
}

// ---------------------------------------------------------------------------------------------------
// Drawing.

function schedule(v) {
  if (!v.raf) v.raf = requestAnimationFrame(() => { v.raf = 0; v.sel = null; draw(v, true); });
}

/** The lines in the scroller's view, `[first, last]` (0-based, `last` may be past the end). */
function visibleLines(v) {
  const { top, height } = v;
  return [Math.max(0, Math.floor((top - M.top) / M.lh)), Math.ceil((top + height - M.top) / M.lh)];
}

/** Scrolls the cursor into view, clear of the gutter. */
function revealCursor(v) {
  const { root } = v, [, head] = selection(v);
  const y = M.top + lineOf(v, head) * M.lh;
  if (y < root.scrollTop) root.scrollTop = y - M.top;
  else if (y + M.lh > root.scrollTop + root.clientHeight) root.scrollTop = y + M.lh + M.top - root.clientHeight;
  const x = M.left + columnOf(v, head) * M.cw, width = root.clientWidth - v.gutter.offsetWidth, margin = 4 * M.cw;
  if (x < root.scrollLeft + margin) root.scrollLeft = Math.max(0, x - margin);
  else if (x > root.scrollLeft + width - margin) root.scrollLeft = x - width + margin;
  v.top = root.scrollTop;
}

function measure(v) {
  const probe = el('span', '', v.layer);
  probe.textContent = 'x'.repeat(64);
  const box = probe.getBoundingClientRect();
  M.cw = box.width / 64;
  probe.remove();
  const style = getComputedStyle(v.ta);
  M.lh = parseFloat(style.lineHeight) || M.lh;
  // The selection's background fills the line's height (an inline box covers only the font's).
  host.style.setProperty('--ed-pad', `${Math.max(0, (M.lh - box.height) / 2)}px`);
  M.top = parseFloat(style.paddingTop) || 0;
  M.left = parseFloat(style.paddingLeft) || 0;
}

/** Sets `style[prop]` only when it changes (an unchanged size must not make the browser lay the text out again). */
/** Columns by which the text's width grows (see `draw`). */
const WIDTH_STEP = 16;

function setStyle(e, prop, value) {
  if (e.style[prop] !== value) e.style[prop] = value;
}

/**
 * Draws the shown view's visible lines (and a screen around them) and its gutter. Reads no layout
 * unless `frame` (the pass before the browser paints): then it also fits the size to the text and
 * reveals the cursor if a key moved it, so the textarea is laid out once a keystroke.
 */
function draw(v, frame) {
  if (v !== current) return;
  if (!M.cw) measure(v);
  const { text, starts, ta, root } = v;
  const count = starts.length;
  // The size of the text, so the textarea holds all of it without scrolling.
  const gutterWidth = Math.ceil(Math.max(2, String(count).length) * M.cw + 22) + 'px';
  setStyle(v.gutter, 'width', gutterWidth);
  setStyle(root, 'scrollPaddingLeft', gutterWidth);
  setStyle(v.body, 'height', Math.ceil(2 * M.top + count * M.lh + 8) + 'px');
  // The width grows in steps of WIDTH_STEP columns: a change of the body's width lays the whole
  // textarea out again (~50-80 ms on W1's 11,000 lines), so typing at the end of the longest line
  // must not change it at every key.
  const width = Math.ceil(M.left + Math.ceil((v.longest + 4) / WIDTH_STEP) * WIDTH_STEP * M.cw);
  if (width > v.wide || width < v.wide - 2 * WIDTH_STEP * M.cw) { v.wide = width; setStyle(v.body, 'minWidth', width + 'px'); }
  if (frame) {
    // Characters wider than the font's (CJK, emoji) can make a line longer than counted.
    if (ta.scrollWidth > ta.clientWidth) setStyle(v.body, 'minWidth', (v.wide = Math.ceil(ta.scrollWidth + WIDTH_STEP * M.cw)) + 'px');
    v.height = root.clientHeight;
    if (v.reveal) revealCursor(v);
    v.reveal = false;
    v.top = root.scrollTop;
  }

  const [top, bottom] = visibleLines(v);
  const margin = bottom - top;
  const first = clamp(top - margin, 0, count - 1), last = clamp(bottom + margin, 0, count - 1);
  const [anchor, head] = selection(v);
  const selFrom = Math.min(anchor, head), selTo = Math.max(anchor, head);
  const headLine = lineOf(v, head);
  // Marks over the text: the selection, diagnostics, the bracket at the cursor and its partner.
  const marks = []; // [from, to, class, title]
  if (selTo > selFrom) marks.push([selFrom, selTo, 'ed-sel']);
  for (const d of v.diags) marks.push([d.from, d.to, `ed-lint-${d.severity}`, d.message]);
  if (selTo === selFrom && document.activeElement === ta) {
    for (const pos of [head, head - 1]) {
      if (pos < 0 || pos >= text.length || !isBracketAt(v, pos)) continue;
      const other = matchBracket(v, pos);
      if (other === null) break;
      const cls = other < 0 ? 'ed-nomatch' : 'ed-match';
      marks.push([pos, pos + 1, cls]);
      if (other >= 0) marks.push([other, other + 1, cls]);
      break;
    }
  }
  const y = (n) => `top:${(M.top + n * M.lh).toFixed(2)}px`;
  const active = v.layer.firstChild;
  if (active) active.style.top = y(headLine).slice(4);
  // Each drawn line is replaced only when its text or marks changed (typing redraws one line).
  const same = first === v.first && last === v.last && v.drawn.length === last - first + 1;
  const html = [];
  for (let n = first; n <= last; n++) {
    const from = starts[n], to = lineEnd(v, n);
    let line = lineHTML(text.slice(from, to), lineTokens(v, n), marks.filter((m) => m[0] < to && m[1] > from), from);
    if (selFrom <= to && selTo > to) line += '<span class="ed-sel"> </span>'; // the selected line break
    html.push(line);
  }
  if (same && active) {
    const lines = v.layer.children;
    html.forEach((h, i) => { if (v.drawn[i] !== h) lines[i + 1].innerHTML = h; });
  } else {
    v.layer.innerHTML = `<div class="ed-active" style="${y(headLine)}"></div>` +
      html.map((h, i) => `<div class="ed-line" style="${y(first + i)}">${h}</div>`).join('');
  }
  v.drawn = html;
  v.first = first; v.last = last;

  // The gutter: line numbers, and a marker per line with diagnostics (its title: their messages).
  const byLine = new Map();
  for (const d of v.diags) {
    const n = lineOf(v, d.from);
    if (n < first || n > last) continue;
    const seen = byLine.get(n);
    if (!seen) byLine.set(n, { severity: d.severity, message: d.message });
    else {
      if (d.severity === 'error') seen.severity = 'error';
      seen.message += '\n' + d.message;
    }
  }
  let gutter = '';
  for (let n = first; n <= last; n++) gutter += `<div class="ed-num${n === headLine ? ' ed-on' : ''}" style="${y(n)}">${n + 1}</div>`;
  for (const [n, m] of byLine) {
    gutter += `<div class="ed-mark ed-mark-${m.severity}" style="${y(n)}" title="${esc(m.message)}">${m.severity === 'error' ? '●' : '▲'}</div>`;
  }
  if (gutter !== v.gutterHTML) v.gutter.innerHTML = v.gutterHTML = gutter;
}

/** A line's HTML: its text in spans by token type and marks (offsets of the marks are absolute, from `base`). */
function lineHTML(line, tokens, marks, base) {
  if (!marks.length && !tokens.length) return esc(line);
  const cuts = [0, line.length];
  for (let i = 0; i < tokens.length; i += 3) cuts.push(tokens[i], tokens[i + 1]);
  for (const m of marks) cuts.push(clamp(m[0] - base, 0, line.length), clamp(m[1] - base, 0, line.length));
  cuts.sort((a, b) => a - b);
  let html = '', ti = 0;
  for (let i = 0; i + 1 < cuts.length; i++) {
    const a = cuts[i], b = cuts[i + 1];
    if (b <= a) continue;
    while (ti < tokens.length && tokens[ti + 1] <= a) ti += 3;
    const classes = [], titles = [];
    if (ti < tokens.length && tokens[ti] <= a && !UNSTYLED.has(tokens[ti + 2])) classes.push('tok-' + tokens[ti + 2]);
    for (const m of marks) {
      if (m[0] - base <= a && b <= m[1] - base) { classes.push(m[2]); if (m[3]) titles.push(m[3]); }
    }
    const part = esc(line.slice(a, b));
    html += classes.length ? `<span class="${classes.join(' ')}"${titles.length ? ` title="${esc(titles.join('\n'))}"` : ''}>${part}</span>` : part;
  }
  return html;
}

// ---------------------------------------------------------------------------------------------------
// The API that src/editor/mod.rs binds.

// A textarea's text has "\n" line breaks only (so a text from outside is compared as it will be shown).
const lf = (text) => (text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text);

function applyPending(v) {
  const p = pending.get(v.key);
  if (!p || v.text !== p.text) return false;
  pending.delete(v.key);
  const len = v.text.length;
  // Each marks the token it starts at (at least one character; at the very end, the last one).
  v.diags = p.diagnostics.map((d) => {
    const from = Math.max(0, Math.min(d.from, len - 1));
    const to = Math.min(Math.max(tokenEnd(v, from), from + 1), len);
    return { from, to, severity: d.severity, message: d.message };
  }).filter((d) => d.to > d.from).sort((a, b) => a.from - b.from);
  return true;
}

/** Creates the editor in `parent`; `change(text)` is called after each edit by the user. */
export function create(parent, change) {
  host = parent;
  onChange = change;
  new ResizeObserver(() => { if (current) { current.sel = null; draw(current, true); } }).observe(parent);
  document.addEventListener('selectionchange', () => {
    if (current && document.activeElement === current.ta) { current.sel = null; schedule(current); }
  });
}

/** Shows the tab `key` with `text` (creating its view in language `lang` the first time). */
export function show(key, text, lang) {
  if (!host) return;
  if (current) current.sel = null;
  text = lf(text);
  let v = views.get(key);
  if (!v) views.set(key, v = makeView(key, text, lang));
  if (v !== current) {
    if (current) {
      current.scroll = [current.root.scrollTop, current.root.scrollLeft];
      current.root.hidden = true;
    }
    current = v;
    v.sel = null;
    v.root.hidden = false;
    draw(v, true); // sizes the text first, so the scroll position fits
    [v.root.scrollTop, v.root.scrollLeft] = v.scroll;
    v.top = v.root.scrollTop;
    draw(v);
  }
  sync(v, text);
  if (applyPending(v)) draw(v);
}

/** Sets the diagnostics of tab `key` for the document `text`: a JSON list of {from, severity, message}. */
export function lint(key, text, json) {
  pending.set(key, { text: lf(text), diagnostics: JSON.parse(json) });
  const v = views.get(key);
  if (v) v.sel = null;
  if (v && applyPending(v)) draw(v);
}

/** Selects `from..to` (when empty: the token at `from`) in the shown tab, scrolled to the middle; with `focus`, focuses the editor. */
export function select(from, to, focus) {
  const v = current;
  if (!v) return;
  v.sel = null;
  const len = v.text.length;
  const anchor = clamp(from, 0, len);
  // An empty range selects the token there (a state's name, the place of a problem), so it stands out.
  const head = to > from ? Math.min(to, len) : Math.min(tokenEnd(v, anchor), len);
  setSelection(v, anchor, head);
  if (focus) v.ta.focus({ preventScroll: true });
  // A revealed place goes to the middle of the editor, so it is easy to see.
  const { root } = v;
  v.height = root.clientHeight;
  root.scrollTop = M.top + lineOf(v, anchor) * M.lh - (v.height - M.lh) / 2;
  root.scrollLeft = 0;
  revealCursor(v);
  draw(v);
}

// Test hooks: what a person sees, read from the shown view.
const fresh = (v) => { v.sel = null; return selection(v); };
export function text() { return current ? current.text : ''; }
export function cursorLine() { return current ? lineOf(current, fresh(current)[1]) + 1 : 0; }
export function tab() { return current ? current.key : null; }
export function selectedText() { return current ? current.text.slice(...[...fresh(current)].sort((a, b) => a - b)) : ''; }
