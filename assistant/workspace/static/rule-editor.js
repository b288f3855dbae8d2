// Checks the rule as the author types, with the server's own validator, and
// lists the problems (file, line, fix) under the editor. No library, no CDN.
(function () {
  "use strict";
  var form = document.getElementById("rule-form");
  var text = document.getElementById("rule-text");
  var out = document.getElementById("rule-check");
  if (!form || !text || !out) return;
  var token = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var timer = null, sent = 0;

  function show(data) {
    out.textContent = "";
    if (!data.problems.length) {
      var ok = document.createElement("p");
      ok.className = "ok";
      ok.textContent = "No problems found.";
      out.appendChild(ok);
      return;
    }
    var list = document.createElement("ul");
    list.className = "problems";
    list.id = "rule-problems";
    data.problems.forEach(function (p) {
      var item = document.createElement("li");
      item.className = p.severity;
      var head = document.createElement("strong");
      head.textContent = p.severity.charAt(0).toUpperCase() + p.severity.slice(1);
      item.appendChild(head);
      var where = " in " + p.file + (p.line ? ", line " + p.line : "") +
        (p.rule_line ? " (line " + p.rule_line + " of this rule)" : "") + ": ";
      item.appendChild(document.createTextNode(where + p.message + ". "));
      var fix = document.createElement("span");
      fix.className = "fix";
      fix.textContent = "Fix: " + p.fix;
      item.appendChild(fix);
      list.appendChild(item);
    });
    out.appendChild(list);
  }

  function check() {
    var mine = ++sent;
    fetch("/api/check-rule", {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": token},
      body: JSON.stringify({rule: form.getAttribute("data-rule"), text: text.value})
    }).then(function (r) { return r.json(); }).then(function (data) {
      if (mine === sent) show(data);  // an older answer never overwrites a newer one
    }).catch(function () {
      out.textContent = "Could not check the rule just now; it is checked again when you save.";
    });
  }

  text.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 400);
  });
  // typed into before this script ran (a slow connection): check what is there now
  if (text.value !== text.defaultValue) check();
})();
