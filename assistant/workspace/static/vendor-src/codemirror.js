// The parts of CodeMirror 6 the workspace's YAML editor uses, re-exported from one
// module. `make install` (scripts/install.sh) bundles this file with esbuild from
// node_modules into static/vendor/codemirror.js, which the workspace serves itself:
// no CDN, and no bare imports for the browser to resolve (an import map would be an
// inline script, which the workspace's CSP forbids).
export {EditorState, Compartment} from "@codemirror/state";
export {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, highlightSpecialChars
} from "@codemirror/view";
export {defaultKeymap, history, historyKeymap} from "@codemirror/commands";
export {
  indentOnInput, indentUnit, bracketMatching, syntaxHighlighting, HighlightStyle
} from "@codemirror/language";
export {tags} from "@lezer/highlight";
export {yaml} from "@codemirror/lang-yaml";
export {linter, lintGutter, lintKeymap, forceLinting} from "@codemirror/lint";
export {autocompletion, completionKeymap, startCompletion} from "@codemirror/autocomplete";

// CodeMirror's styles: style-mod writes them into a <style> element when the editor lives in
// a document, and the workspace's CSP (style-src 'self') rightly blocks inline style elements.
// A constructed style sheet (document.adoptedStyleSheets) is not inline markup and is what
// style-mod already uses inside a shadow root; have it make the document's style set that way,
// once, before any editor mounts. (It picks its kind of set when it first sees a root.)
import {StyleModule} from "style-mod";

function adoptStyles(doc) {
  if (!doc.adoptedStyleSheets || !doc.defaultView || !doc.defaultView.CSSStyleSheet) return;
  Object.defineProperty(doc, "head", {value: null, configurable: true});
  try {
    StyleModule.mount(doc, []);
  } finally {
    delete doc.head;  // the document's own head again
  }
}
adoptStyles(document);
