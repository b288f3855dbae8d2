// When the YAML editor did not load (its bundle was not built: npm missing at install),
// the plain textareas are still checked as they type. Module scripts run in order before
// DOMContentLoaded, so by then yaml-editor.js has either put its editors in place or failed.
import {plainAll} from "./yaml-check.js";

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", plainAll);
else plainAll();
