// Kept for pages that still load the rule editor as a classic script: it loads the YAML
// editor module, or when that fails the plain check. New pages use templates/editor.html's
// yaml_editor_script(), which loads both as modules before the page is ready.
import("/static/yaml-editor.js").catch(() => import("/static/yaml-check.js").then((m) => m.plainAll()));
