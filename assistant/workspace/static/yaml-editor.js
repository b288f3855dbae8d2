// The schema-aware YAML editor: turns every <textarea data-yaml-editor="rule|scenario|article">
// into a CodeMirror 6 editor (bundled by `make install` into ./vendor/codemirror.js and
// served by the workspace itself: no CDN), with
//   - the server's own check as they type (the validator's file, line and fix), shown as
//     lint markers on the lines and, for screen readers, as the list under the editor;
//   - completion of keys and values from /api/editor/shape/KIND (the JSON Schemas and the
//     loaded guidance: fact ids, pathway ids, urgencies, operators, definitions).
// The textarea stays the form field (kept in step, hidden): without script the plain
// textarea works, and when the bundle is missing yaml-fallback.js checks it as they type.
// Tab is never taken by the editor (no indentWithTab), so keyboard users can always leave it.
// The imports are static, so the editors are in place before DOMContentLoaded: nothing
// typed into the textarea in the meantime is lost, and yaml-fallback.js knows whether they came.
import * as cm from "./vendor/codemirror.js";
import {checker, couldNotCheck, lineInText, parts, showProblems} from "./yaml-check.js";

// ---- where the cursor is in the YAML: the path of keys above it ---------------------------

const KEY = /^("[^"]*"|'[^']*'|[^\s#{}[\],:'"][^#{}[\],:]*?)\s*:(?=\s|$)/;

function lineShape(text) {
  const m = /^(\s*)((?:-(?:\s+|$))*)(.*)$/.exec(text);
  const rest = m[3];
  const key = KEY.exec(rest);
  return {
    indent: m[1].length, dashes: (m[2].match(/-/g) || []).length, content: m[1].length + m[2].length,
    key: key ? key[1].replace(/^["']|["']$/g, "") : null, blank: !rest.trim() && !m[2], comment: /^#/.test(rest)
  };
}

// the keys (and "[]" for a list item) that hold a position at `column` on line `number`
function blockPath(doc, number, column) {
  const path = [];
  let c = column;
  for (let n = number - 1; n >= 1 && c > 0; n--) {
    const s = lineShape(doc.line(n).text);
    if (s.blank || s.comment) continue;
    if (s.content < c && s.key) {
      path.unshift(s.key);
      for (let i = 0; i < s.dashes; i++) path.unshift("[]");
      c = s.dashes ? s.indent : s.content;
    } else if (s.dashes && s.indent < c && s.content >= c) {
      // a sibling key in the same list item: the item itself is the parent
      for (let i = 0; i < s.dashes; i++) path.unshift("[]");
      c = s.indent;
    }
  }
  return path;
}

// within one line after "key: ": flow mappings and lists ({at_least: 3}, [a, b])
function flowPath(text) {
  const path = [];
  const stack = [];            // each open bracket: {open, depth (path length inside it)}
  let mode = "value";          // what is being typed now: a key or a value
  let token = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' || ch === "'") {
      const end = text.indexOf(ch, i + 1);
      if (end < 0) return null;  // inside a quoted string: nothing to complete
      i = end;
      continue;
    }
    if (ch === "#" && (i === 0 || /\s/.test(text[i - 1]))) return null;
    if (ch === "{" || ch === "[") {
      if (stack.length && stack[stack.length - 1].open === "[") path.push("[]");
      stack.push({open: ch, depth: path.length});
      mode = ch === "{" ? "key" : "value";
      token = "";
    } else if (ch === "}" || ch === "]") {
      const top = stack.pop();
      if (!top) return null;
      path.length = top.depth;
      if (stack.length && stack[stack.length - 1].open === "[") path.pop();
      mode = "after";
    } else if (ch === ":" && stack.length && stack[stack.length - 1].open === "{" && mode === "key") {
      path.push(token.trim());
      mode = "value";
      token = "";
    } else if (ch === ",") {
      const top = stack[stack.length - 1];
      if (!top) return null;
      path.length = top.depth;
      mode = top.open === "{" ? "key" : "value";
      token = "";
    } else {
      token += ch;
    }
  }
  if (mode === "after") return null;
  if (stack.length && stack[stack.length - 1].open === "[") path.push("[]");
  return {path: path, mode: mode};
}

function where(state, pos) {
  const line = state.doc.lineAt(pos);
  const before = line.text.slice(0, pos - line.from);
  const s = lineShape(before);
  if (s.comment) return null;
  const path = blockPath(state.doc, line.number, s.dashes ? s.indent : s.content);
  for (let i = 0; i < s.dashes; i++) path.push("[]");
  const rest = before.slice(s.content);
  const key = KEY.exec(rest);
  if (!key) return {path: path, mode: "key", listItem: s.dashes > 0};
  path.push(s.key);
  const flow = flowPath(rest.slice(key[0].length));
  if (!flow) return null;
  return {path: path.concat(flow.path), mode: flow.mode, listItem: false};
}

// a file that opens with a --- line (an article) has YAML only up to the next --- line
function pastFrontMatter(state, pos) {
  const doc = state.doc;
  if (doc.line(1).text.trim() !== "---") return false;
  const here = doc.lineAt(pos).number;
  for (let n = 2; n <= doc.lines && n <= here; n++) {
    if (doc.line(n).text.trim() === "---") return true;
  }
  return false;
}

// ---- the shape: what may go where ------------------------------------------------------------

function resolver(shape) {
  function deref(node) {
    let seen = 0;
    while (node && node.ref && seen++ < 20) {
      const named = shape.nodes[node.ref] || {};
      const own = Object.assign({}, node);
      delete own.ref;
      node = Object.assign({}, named, own);
    }
    return node || null;
  }
  function at(path) {
    let node = deref(shape.root);
    for (const step of path) {
      if (!node) return null;
      node = deref(step === "[]" ? (node.items || node) : (node.keys || {})[step]);
    }
    return node;
  }
  function values(node) {
    if (!node || !node.values) return [];
    return typeof node.values === "string" ? (shape.lists[node.values] || []) : node.values;
  }
  return {at: at, values: values};
}

function completions(shapes, kind) {
  let find = null;
  // a suggestion asked for before the shape has come waits for it (CodeMirror takes a promise)
  return (context) => shapes[kind].then((shape) => (shape ? suggest(find = find || resolver(shape), context) : null));
}

function suggest(find, context) {
  if (pastFrontMatter(context.state, context.pos)) return null;  // an article's Markdown text
  const word = context.matchBefore(/[\w.-]*/);
  const here = where(context.state, context.pos);
  if (!here || (word.from === word.to && !context.explicit)) return null;
  const node = find.at(here.path);
  if (!node) return null;
  const options = [];
  if (here.mode === "key") {
    const required = node.required || [];
    Object.keys(node.keys || {}).forEach((name) => {
      const sub = node.keys[name];
      options.push({label: name, type: "property", apply: name + ": ",
                    detail: required.indexOf(name) >= 0 ? "required" : undefined, info: sub.doc});
    });
  }
  if (here.mode === "value" || here.listItem) {
    find.values(node).forEach((v) => {
      options.push({label: v.label, type: "constant", detail: v.detail, info: v.info});
    });
  }
  if (!options.length) return null;
  return {from: word.from, options: options, validFor: /^[\w.-]*$/};
}

// ---- the editor ----------------------------------------------------------------------------------

function theme() {
  // colours with at least 4.5:1 contrast (WCAG AA) on white and on the active line
  const style = cm.HighlightStyle.define([
    {tag: cm.tags.comment, color: "#6b4400", fontStyle: "italic"},
    {tag: [cm.tags.propertyName, cm.tags.definition(cm.tags.propertyName)], color: "#0b4f9c"},
    {tag: [cm.tags.string, cm.tags.special(cm.tags.string)], color: "#8a1c0f"},
    {tag: [cm.tags.number, cm.tags.bool, cm.tags.null, cm.tags.atom, cm.tags.keyword], color: "#0b5d1e"},
    {tag: [cm.tags.meta, cm.tags.typeName, cm.tags.labelName], color: "#4a4a4a"},
    {tag: cm.tags.invalid, color: "#942514", textDecoration: "underline"}
  ]);
  return [
    cm.syntaxHighlighting(style),
    cm.EditorView.theme({
      "&": {border: "2px solid #444", borderRadius: "3px", background: "#fff", fontSize: ".95rem"},
      "&.cm-focused": {outline: "3px solid #ffbf47", outlineOffset: "2px"},
      ".cm-content": {fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, monospace', minHeight: "12rem"},
      ".cm-scroller": {fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, monospace'},
      ".cm-gutters": {background: "#f3f3f3", color: "#4a4a4a", borderRight: "1px solid #bbb"},
      ".cm-activeLineGutter": {background: "#e3e3e3", color: "#1b1b1b"},
      ".cm-activeLine": {background: "#f5f9ff"},
      ".cm-lintRange-error": {backgroundColor: "#fdf1ef"},
      ".cm-tooltip": {border: "1px solid #444", background: "#fff", color: "#1b1b1b"},
      ".cm-tooltip-autocomplete > ul > li[aria-selected]": {background: "#12355b", color: "#fff"},
      ".cm-completionInfo": {padding: ".25rem .5rem", maxWidth: "28rem"},
      ".cm-diagnosticSource": {color: "#4a4a4a", opacity: "1"},
      ".cm-completionDetail": {color: "inherit"}
    })
  ];
}

function enhance(textarea, shapes) {
  const {kind, out, listId} = parts(textarea);
  const check = checker(textarea);
  const label = document.querySelector('label[for="' + textarea.id + '"]');
  const hint = document.createElement("p");
  hint.className = "muted editor-keys";
  hint.id = textarea.id + "-keys";
  hint.textContent = "Keys: Ctrl+Space suggests keys and values (Enter takes one, Escape closes the list); " +
    "F8 goes to the next problem; Ctrl+] and Ctrl+[ indent; Tab and Shift+Tab leave the editor.";

  function diagnostics(doc, data) {
    const found = [];
    ((data && data.problems) || []).forEach((p) => {
      const n = lineInText(p);
      if (!n || n < 1 || n > doc.lines) return;  // elsewhere in the file: in the list only
      const line = doc.line(n);
      const start = line.from + (line.text.length - line.text.trimStart().length);
      found.push({from: Math.min(start, line.to), to: line.to,
                  severity: p.severity === "error" ? "error" : p.severity === "warning" ? "warning" : "info",
                  source: p.file + (p.line ? ", line " + p.line : ""),
                  message: p.message + ". Fix: " + p.fix});
    });
    return found;
  }

  const lint = cm.linter((view) => {
    const doc = view.state.doc;
    return check(doc.toString()).then((data) => {
      if (!data) return [];
      showProblems(out, listId, kind, data);
      return diagnostics(doc, data);
    }).catch(() => {
      couldNotCheck(out, kind);
      return [];
    });
  }, {delay: 400});

  const attributes = {"aria-describedby": [hint.id, out && out.id].filter(Boolean).join(" "),
                      "spellcheck": "false", "autocorrect": "off", "autocapitalize": "off", "tabindex": "0"};
  if (label) attributes["aria-labelledby"] = label.id || (label.id = textarea.id + "-label");
  else if (textarea.getAttribute("aria-label")) attributes["aria-label"] = textarea.getAttribute("aria-label");
  const view = new cm.EditorView({
    state: cm.EditorState.create({
      doc: textarea.value,
      extensions: [
        cm.lineNumbers(), cm.highlightActiveLineGutter(), cm.highlightSpecialChars(), cm.history(),
        cm.drawSelection(), cm.indentOnInput(), cm.indentUnit.of("  "), cm.bracketMatching(),
        // wrapped lines and no height limit: the editor grows with the text, so it is never a
        // scrolling region (one a keyboard user would have to reach separately)
        cm.highlightActiveLine(), cm.EditorView.lineWrapping, cm.yaml(), theme(),
        cm.autocompletion({override: [completions(shapes, kind)], icons: false}),
        lint, cm.lintGutter(),
        cm.keymap.of([...cm.completionKeymap, ...cm.lintKeymap, ...cm.historyKeymap, ...cm.defaultKeymap]),
        cm.EditorView.contentAttributes.of(attributes),
        cm.EditorView.updateListener.of((update) => {
          if (update.docChanged) textarea.value = update.state.doc.toString();  // the form sends the textarea
        })
      ]
    })
  });
  view.dom.classList.add("yaml-editor");
  view.dom.dataset.kind = kind;
  textarea.hidden = true;
  if (label) {
    // the label now names the editor (aria-labelledby); clicking it focuses the editor
    label.removeAttribute("for");
    label.addEventListener("click", () => view.focus());
  }
  textarea.insertAdjacentElement("afterend", view.dom);
  view.dom.insertAdjacentElement("afterend", hint);
  if (textarea.form) textarea.form.addEventListener("submit", () => { textarea.value = view.state.doc.toString(); });
  return view;
}

function main() {
  const textareas = Array.from(document.querySelectorAll("textarea[data-yaml-editor]"));
  if (!textareas.length) return;
  const shapes = {};
  textareas.forEach((textarea) => {
    const kind = textarea.dataset.yamlEditor;
    if (!(kind in shapes)) {
      // null when it cannot be had: the editor works, without suggestions
      shapes[kind] = fetch("/api/editor/shape/" + encodeURIComponent(kind), {credentials: "same-origin"})
        .then((r) => (r.ok ? r.json() : null)).catch(() => null);
    }
    enhance(textarea, shapes);
  });
  document.documentElement.dataset.yamlEditors = "ready";  // for yaml-fallback.js, tests and styles
}

main();
