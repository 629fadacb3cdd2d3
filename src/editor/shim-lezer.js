// Stands in for @lezer/common in the editor bundle (esbuild --alias, see xtask/src/setup.rs): only the
// syntax-aware commands of @codemirror/commands, which this editor does not bind, read these props.
export const NodeProp = { closedBy: null, openedBy: null };
