// Stands in for @codemirror/language in the editor bundle (esbuild --alias, see xtask/src/setup.rs).
//
// @codemirror/commands imports the syntax-tree machinery for commands this editor does not bind
// (syntax-aware cursor motion, Enter with tree-based indentation, bracket selection); the commands it
// binds only need the indentation unit. These three are @codemirror/language's own (MIT), unchanged;
// the rest fail loudly if a command that needs a syntax tree is ever bound.
import { Facet } from '@codemirror/state';

export const indentUnit = Facet.define({ combine: (values) => (values.length ? values[0] : '  ') });

export function getIndentUnit(state) {
  const unit = state.facet(indentUnit);
  return unit.charCodeAt(0) === 9 ? state.tabSize * unit.length : unit.length;
}

export function indentString(state, cols) {
  let result = '', ts = state.tabSize, ch = state.facet(indentUnit)[0];
  if (ch === '\t') {
    while (cols >= ts) { result += '\t'; cols -= ts; }
    ch = ' ';
  }
  for (let i = 0; i < cols; i++) result += ch;
  return result;
}

const unavailable = (name) => () => { throw new Error(`${name} is not in the editor bundle (src/editor/shim-language.js)`); };
export class IndentContext { constructor() { unavailable('IndentContext')(); } }
export const getIndentation = unavailable('getIndentation');
export const matchBrackets = unavailable('matchBrackets');
export const syntaxTree = unavailable('syntaxTree');
