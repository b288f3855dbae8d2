// Kept for pages that still load the rule editor as a classic script: it loads the
// YAML editor module (yaml-editor.js), which enhances every textarea[data-yaml-editor].
// New pages use templates/editor.html's yaml_editor_script() instead.
import("/static/yaml-editor.js");
