// The check as the author types, in the validator's words (file, line, fix), shared by the
// YAML editor (yaml-editor.js) and the plain textarea it falls back to (yaml-fallback.js).
// It lists the problems under the editor, where screen readers find them.
const token = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

// ---- the check, in the validator's words ------------------------------------------------

export function checker(textarea) {
  const form = textarea.form;
  const kind = textarea.dataset.yamlEditor;
  const url = textarea.dataset.checkUrl || "/api/check-rule";
  // the item's id: on the textarea, else on its form (data-item, or the rule page's data-rule)
  const id = textarea.dataset.item || (form && (form.dataset.item || form.dataset.rule)) || "";
  let sent = 0;
  // resolves to the check's answer, or to null when a newer check has been sent since
  return function check(text) {
    const mine = ++sent;
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": token},
      // both check endpoints' words: /api/check takes {kind, item, text}, /api/check-rule {kind, rule, text}
      body: JSON.stringify({kind: kind, item: id, rule: id, text: text})
    }).then((r) => r.json()).then((data) => (mine === sent ? data : null));
  };
}

export function lineInText(p) {
  // the line within the edited text: a rule's own line, or for a whole file (here: true) its line
  return p.rule_line || p.text_line || (p.here ? p.line : null) || null;
}

export function showProblems(out, listId, kind, data) {
  out.textContent = "";
  const problems = (data && data.problems) || [];
  if (!problems.length) {
    const ok = document.createElement("p");
    ok.className = "ok";
    ok.textContent = "No problems found.";
    out.appendChild(ok);
    return;
  }
  const list = document.createElement("ul");
  list.className = "problems";
  list.id = listId;
  problems.forEach((p) => {
    const item = document.createElement("li");
    item.className = p.severity;
    const head = document.createElement("strong");
    head.textContent = p.severity.charAt(0).toUpperCase() + p.severity.slice(1);
    item.appendChild(head);
    const here = p.rule_line;  // a part of a file (a rule): its own line too, as the page says after a save
    const where = " in " + p.file + (p.line ? ", line " + p.line : "") +
      (here ? " (line " + here + " of this " + kind + ")" : "") + ": ";
    item.appendChild(document.createTextNode(where + p.message + ". "));
    const fix = document.createElement("span");
    fix.className = "fix";
    fix.textContent = "Fix: " + p.fix;
    item.appendChild(fix);
    list.appendChild(item);
  });
  out.appendChild(list);
}

export function couldNotCheck(out, kind) {
  out.textContent = "Could not check the " + kind + " just now; it is checked again when you save.";
}

export function parts(textarea) {
  const kind = textarea.dataset.yamlEditor;
  const out = document.getElementById(textarea.dataset.problems ||
                                      (textarea.getAttribute("aria-describedby") || "").split(" ")[0]);
  // the list's id as the server renders it after a save (rule-check holds #rule-problems)
  const listId = textarea.dataset.problemList || (out ? out.id.replace(/-check$/, "") : kind) + "-problems";
  return {kind: kind, out: out, listId: listId};
}

// ---- without CodeMirror: the plain textarea, checked as they type -------------------------

export function plainTextarea(textarea) {
  const {kind, out, listId} = parts(textarea);
  if (!out) return;
  const check = checker(textarea);
  let timer = null;
  const run = () => check(textarea.value).then((data) => {
    if (data) showProblems(out, listId, kind, data);
  }).catch(() => couldNotCheck(out, kind));
  textarea.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, 400);
  });
  if (textarea.value !== textarea.defaultValue) run();
}


// every textarea[data-yaml-editor] the editor did not take: plain, and still checked as they type
export function plainAll() {
  if (document.documentElement.dataset.yamlEditors === "ready") return;
  document.querySelectorAll("textarea[data-yaml-editor]").forEach(plainTextarea);
  document.documentElement.dataset.yamlEditors = "plain";
}
