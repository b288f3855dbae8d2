/*
 * Signpost chat widget. Plain JavaScript, no build step, no external requests
 * other than the conversation itself to the configured Rasa server.
 *
 * Embed with one element and one script tag:
 *   <div id="signpost-chat" data-signpost data-area="st_helens"></div>   (data-area optional)
 *   <script src="/static/signpost-widget.js" data-rasa-url="http://127.0.0.1:5005" defer></script>
 *
 * Optional data attributes: data-target (element id, default "signpost-chat"),
 * data-retry-max-ms (longest wait between reconnect attempts, default 8000),
 * data-area (an area id of pathways/areas/, e.g. "st_helens"; on the target element
 * or on the script tag): sent as message metadata {"area": ...} with every message,
 * so the bot uses that area's guidance and contacts.
 *
 * The card draws what the server sends: its do_first list, each pathway's tone
 * (from the guidance's urgency levels), the referral summary, which contacts' checks
 * are old, the answers used in words, and the card's own wording (``words``, from
 * assistant/guidance/render.py CARD_WORDS). The widget decides none of these itself and
 * keeps no copy of the card's words: a word the server did not send is left out.
 *
 * Safety rule for this file: every string that came from the bot or the user is
 * put on the page with textContent or as an attribute value we build ourselves.
 * Nothing is ever assigned to innerHTML.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var config = readConfig(script);
  var STORAGE_KEY = "signpost-chat:v1";
  var REQUEST_TIMEOUT_MS = 60000;
  // Tones the server may send (from the guidance's urgency levels); anything else is drawn neutral.
  var TONES = { danger: true, warning: true, info: true, neutral: true };

  function readConfig(tag) {
    var data = (tag && tag.dataset) || {};
    var rasaUrl = (data.rasaUrl || "").replace(/\/+$/, "");
    var retryMax = parseInt(data.retryMaxMs, 10);
    return {
      rasaUrl: rasaUrl,
      target: data.target || "signpost-chat",
      retryMaxMs: retryMax > 0 ? retryMax : 8000,
      area: data.area || "",
      cssUrl: tag && tag.src ? new URL("signpost-widget.css", tag.src).href : null
    };
  }

  /* ---------- small DOM helpers (text only) ---------- */

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        var value = attrs[key];
        if (value === null || value === undefined || value === false) return;
        if (key === "text") node.textContent = String(value);
        else if (key === "className") node.className = value;
        else node.setAttribute(key, value === true ? "" : String(value));
      });
    }
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function asText(value) {
    if (value === null || value === undefined) return "";
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    return "";
  }

  function asList(value) {
    if (Array.isArray(value)) return value;
    if (value === null || value === undefined || value === "") return [];
    return [value];
  }

  var idCounter = 0;
  function uniqueId(prefix) {
    idCounter += 1;
    return prefix + "-" + idCounter + "-" + Math.random().toString(36).slice(2, 7);
  }

  function newSenderId() {
    // Random and meaningless: the conversation is never tied to a person.
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return "web-" + Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function telHref(number) {
    var digits = String(number).replace(/[^0-9+]/g, "");
    return digits.length >= 3 ? "tel:" + digits : null;
  }

  function safeWebUrl(url) {
    return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null;
  }

  /* ---------- state kept in sessionStorage so a reload continues ---------- */

  function freshState() {
    return { sender: newSenderId(), messages: [], pending: [] };
  }

  function loadState() {
    try {
      var raw = window.sessionStorage.getItem(STORAGE_KEY);
      if (!raw) return freshState();
      var parsed = JSON.parse(raw);
      if (!parsed || typeof parsed.sender !== "string" || !Array.isArray(parsed.messages)) {
        return freshState();
      }
      parsed.pending = Array.isArray(parsed.pending) ? parsed.pending : [];
      return parsed;
    } catch (e) {
      return freshState();
    }
  }

  function saveState(state) {
    try {
      window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(state));
    } catch (e) {
      // Storage full or disabled: the chat still works, it just won't survive a reload.
    }
  }

  /* ---------- rendering of one stored message ---------- */

  function toneOf(item) {
    var tone = asText(item && item.tone);
    return Object.prototype.hasOwnProperty.call(TONES, tone) ? tone : "neutral";
  }

  // The guidance sends pathways most urgent first; a numeric urgency_rank, when
  // every pathway has one, is honoured too (stable, so ties keep the server's order).
  function orderByUrgency(pathways) {
    var ranked = pathways.every(function (p) { return typeof p.urgency_rank === "number"; });
    if (!ranked) return pathways.slice();
    return pathways
      .map(function (p, i) { return { p: p, i: i }; })
      .sort(function (a, b) { return (a.p.urgency_rank - b.p.urgency_rank) || (a.i - b.i); })
      .map(function (x) { return x.p; });
  }

  // One of the card's words as the server sent it, its {placeholders} filled; "" when not sent.
  function wordsOf(rec) {
    var words = rec && rec.words && typeof rec.words === "object" ? rec.words : {};
    return function (key, fill) {
      var text = asText(words[key]);
      return text.replace(/\{([a-z]+)\}/g, function (whole, name) {
        return fill && Object.prototype.hasOwnProperty.call(fill, name) ? asText(fill[name]) : whole;
      });
    };
  }

  function urgencyText(pathway) {
    return asText(pathway.urgency_label) || humanise(pathway.urgency);
  }

  function humanise(id) {
    return asText(id).replace(/_/g, " ");
  }

  function contactParts(contact, word) {
    if (typeof contact === "string") return { name: contact, phones: [], urls: [], emails: [], notes: [] };
    if (!contact || typeof contact !== "object") return null;
    return {
      name: asText(contact.name || contact.label || contact.title || contact.service),
      phones: asList(contact.phone || contact.telephone || contact.tel || contact.number).map(asText).filter(Boolean),
      urls: asList(contact.url || contact.website || contact.link).concat(asList(contact.form)).filter(safeWebUrl),
      emails: asList(contact.email).map(asText).filter(Boolean),
      notes: [contact.how, contact.hours, contact.note, contact.notes, contact.description, contact.when]
        .concat(safeWebUrl(contact.form) ? [] : [contact.form])
        .map(asText).filter(Boolean),
      // the date is shown only when the server says the check is old
      checked: contact.checked_is_old === true ? asText(contact.last_verified) || word("last_checked_unknown") : ""
    };
  }

  // A phone number written inside plain text becomes a tel: link; the rest stays text.
  // UK shapes only (999, 101, 111, 116 123, 0xxx numbers) so dates and counts stay plain text.
  var PHONE_IN_TEXT = /(?<![\d\-\/.])(999|101|111|116 ?123|0\d{2,4} ?\d{3,4} ?\d{3,4})(?![\d\-\/])/g;
  function textWithPhoneLinks(text) {
    var frag = document.createDocumentFragment();
    var last = 0;
    text.replace(PHONE_IN_TEXT, function (match, _g, offset) {
      var href = telHref(match);
      if (!href) return match;
      frag.appendChild(document.createTextNode(text.slice(last, offset)));
      frag.appendChild(el("a", { href: href, text: match }));
      last = offset + match.length;
      return match;
    });
    frag.appendChild(document.createTextNode(text.slice(last)));
    return frag;
  }

  function renderContact(contact, word) {
    var parts = contactParts(contact, word);
    if (!parts) return null;
    var item = el("li", { className: "sp-contact" });
    if (parts.name) {
      item.appendChild(parts.phones.length || parts.urls.length || parts.emails.length
        ? el("span", { className: "sp-contact-name", text: parts.name })
        : textWithPhoneLinks(parts.name));
    }
    parts.phones.forEach(function (phone) {
      var href = telHref(phone);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(href ? el("a", { href: href, className: "sp-tel", text: phone }) : el("span", { text: phone }));
    });
    parts.emails.forEach(function (email) {
      item.appendChild(document.createTextNode(" "));
      item.appendChild(el("a", { href: "mailto:" + email, text: email }));
    });
    parts.urls.forEach(function (url) {
      item.appendChild(document.createTextNode(" "));
      item.appendChild(el("a", { href: url, target: "_blank", rel: "noopener noreferrer", text: url }));
    });
    parts.notes.forEach(function (note) {
      item.appendChild(el("span", { className: "sp-contact-note", text: " — " + note }));
    });
    if (parts.checked) {
      item.appendChild(el("span", { className: "sp-contact-checked", text: word("last_checked", { date: parts.checked }) }));
    }
    return item;
  }

  function renderPathway(pathway, headingLevel, word) {
    var urgency = urgencyText(pathway);
    var item = el("li", {
      className: "sp-pathway sp-tone-" + toneOf(pathway),
      "data-pathway-id": asText(pathway.id)
    });
    item.appendChild(el("div", { className: "sp-pathway-head" }, [
      el("h" + headingLevel, { className: "sp-pathway-title", text: asText(pathway.title) || humanise(pathway.id) }),
      urgency ? el("span", { className: "sp-badge", text: word("urgency", { label: urgency }) }) : null
    ]));
    var lead = asText(pathway.what_to_do) || asText(pathway.summary);
    if (lead) item.appendChild(el("p", { className: "sp-pathway-what", text: lead }));

    var reasons = asList(pathway.reasons).map(asText).filter(Boolean);
    if (reasons.length) {
      var list = el("ul", { className: "sp-reasons" }, reasons.map(function (r) { return el("li", { text: r }); }));
      // rule ids stay in the JSON for audit; people read the reasons
      item.appendChild(el("details", { className: "sp-why" }, [
        el("summary", { text: reasons.length > 1 ? word("why_many", { n: reasons.length }) : word("why_one") }),
        list
      ]));
    }

    var how = [
      [word("how_to_refer"), pathway.how_to_refer],
      [word("consent"), pathway.consent],
      [word("sharing_without_consent"), pathway.sharing_without_consent]
    ].filter(function (pair) { return asText(pair[1]); });
    if (how.length) {
      item.appendChild(el("details", { className: "sp-how" }, [
        el("summary", { text: word("how") }),
        el("dl", null, how.reduce(function (nodes, pair) {
          return nodes.concat([el("dt", { text: pair[0] }), el("dd", { text: asText(pair[1]) })]);
        }, []))
      ]));
    }

    var contacts = asList(pathway.contacts).map(function (c) { return renderContact(c, word); }).filter(Boolean);
    if (contacts.length) {
      item.appendChild(el("p", { className: "sp-contacts-label", text: word("contacts") }));
      item.appendChild(el("ul", { className: "sp-contacts" }, contacts));
    }
    return item;
  }

  // do_first: the server's list (at most three), each action with its one number
  // and why it is needed today in this case.
  function renderDoFirst(items, word) {
    var list = el("ol", { className: "sp-do-first-list" });
    items.forEach(function (item) {
      var li = el("li", { className: "sp-do-first-item sp-tone-" + toneOf(item), "data-pathway-id": asText(item.pathway) });
      li.appendChild(el("p", { className: "sp-do-first-action" }, [
        el("strong", { text: asText(item.action) || asText(item.title) }),
        item.urgency_label ? el("span", { className: "sp-badge", text: asText(item.urgency_label) }) : null
      ]));
      var phone = item.phone && typeof item.phone === "object" ? item.phone : null;
      var href = phone ? telHref(asText(phone.phone)) : null;
      if (phone && asText(phone.phone)) {
        li.appendChild(el("p", { className: "sp-do-first-phone" }, [
          document.createTextNode((asText(phone.name) || word("phone")) + ": "),
          href ? el("a", { href: href, className: "sp-tel", text: asText(phone.phone) }) : el("span", { text: asText(phone.phone) })
        ]));
      }
      if (asText(item.why)) li.appendChild(el("p", { className: "sp-do-first-why", text: word("why", { text: asText(item.why) }) }));
      list.appendChild(li);
    });
    return el("section", { className: "sp-do-first", "aria-label": word("do_first") || null }, [
      el("h4", { className: "sp-do-first-title", text: word("do_first") }), list
    ]);
  }

  function renderRecommendation(rec, plainText) {
    var pathways = orderByUrgency(asList(rec.pathways).filter(function (p) { return p && typeof p === "object"; }));
    var headingId = uniqueId("sp-rec");
    var word = wordsOf(rec);
    var card = el("article", { className: "sp-card sp-recommendation", "aria-labelledby": headingId });
    card.appendChild(el("h3", { id: headingId, className: "sp-card-title", text: word("title") }));
    var doFirst = asList(rec.do_first).filter(function (i) { return i && typeof i === "object"; });
    if (!pathways.length) {
      card.appendChild(el("p", { text: word("no_pathway") }));
    } else if (doFirst.length) {
      card.appendChild(renderDoFirst(doFirst, word));
      card.appendChild(el("details", { className: "sp-all-pathways" }, [
        el("summary", { text: word("all_steps", { n: pathways.length }) }),
        el("ol", { className: "sp-pathways" }, pathways.map(function (p) { return renderPathway(p, 4, word); }))
      ]));
    } else {
      card.appendChild(el("p", { className: "sp-card-intro", text: word("most_urgent_first") }));
      card.appendChild(el("ol", { className: "sp-pathways" }, pathways.map(function (p) { return renderPathway(p, 4, word); })));
    }
    if (asText(rec.more_questions_text)) {
      card.appendChild(el("p", { className: "sp-more-questions", text: asText(rec.more_questions_text) }));
    }
    var answers = asList(rec.answers_used).filter(function (a) { return a && typeof a === "object"; });
    if (answers.length) {
      card.appendChild(el("details", { className: "sp-facts" }, [
        el("summary", { text: word("answers_used", { n: answers.length }) }),
        el("ul", null, answers.map(function (a) {
          return el("li", { text: asText(a.label) + ": " + asText(a.answer) });
        }))
      ]));
    }
    // the server's own words (the same text it sends as a message); no copy of our own
    var summary = asText(rec.referral_summary);
    var copyStatus = el("span", { className: "sp-copy-status", role: "status" });
    var copyButton = el("button", { type: "button", className: "sp-button sp-copy", text: word("copy_summary") });
    copyButton.addEventListener("click", function () {
      copyText(summary).then(function (ok) {
        copyStatus.textContent = ok ? word("copied") : word("copy_failed");
      });
    });
    if (summary) card.appendChild(el("div", { className: "sp-card-actions" }, [copyButton, copyStatus]));
    if (plainText) {
      card.appendChild(el("details", { className: "sp-plain" }, [
        el("summary", { text: word("plain_text") }),
        el("p", { className: "sp-plain-text", text: plainText })
      ]));
    }
    if (asText(rec.note)) card.appendChild(el("p", { className: "sp-card-note", text: asText(rec.note) }));
    if (rec.guidance_version) {
      card.appendChild(el("p", { className: "sp-card-meta", text: rec.area
        ? word("guidance_version_area", { version: rec.guidance_version, area: asText(rec.area_name) || asText(rec.area) })
        : word("guidance_version", { version: rec.guidance_version }) }));
    }
    return card;
  }

  function copyText(text) {
    function fallback() {
      var area = el("textarea", { className: "sp-visually-hidden", "aria-hidden": "true", tabindex: "-1" });
      area.value = text;
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      area.remove();
      return ok;
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      return navigator.clipboard.writeText(text).then(function () { return true; }, fallback);
    }
    return Promise.resolve(fallback());
  }

  function renderSources(sources) {
    var items = asList(sources).map(function (s) {
      if (typeof s === "string") {
        return safeWebUrl(s) ? el("li", null, [el("a", { href: s, target: "_blank", rel: "noopener noreferrer", text: s })]) : el("li", { text: s });
      }
      if (s && typeof s === "object") {
        var title = asText(s.title || s.name || s.url);
        var url = safeWebUrl(s.url);
        return el("li", null, [url ? el("a", { href: url, target: "_blank", rel: "noopener noreferrer", text: title }) : title]);
      }
      return null;
    }).filter(Boolean);
    return items.length ? el("ul", { className: "sp-sources" }, items) : null;
  }

  function renderAnswer(answer) {
    var answers = Array.isArray(answer.answers) ? answer.answers : (answer.passage ? [answer] : []);
    if (answer.answered === false || !answers.length) return null;
    var best = answers[0] || {};
    var headingId = uniqueId("sp-answer");
    var card = el("article", { className: "sp-card sp-answer", "aria-labelledby": headingId }, [
      el("h3", { id: headingId, className: "sp-card-title", text: asText(best.title) || "Answer" }),
      el("p", { className: "sp-answer-passage", text: asText(best.passage || best.text) })
    ]);
    var sources = renderSources(best.sources);
    if (sources) {
      card.appendChild(el("p", { className: "sp-contacts-label", text: "Sources" }));
      card.appendChild(sources);
    }
    if (best.last_reviewed) card.appendChild(el("p", { className: "sp-card-meta", text: "Last reviewed " + asText(best.last_reviewed) }));
    return card;
  }

  /* ---------- the widget ---------- */

  function Widget(root) {
    this.root = root;
    this.state = loadState();
    this.generation = 0;      // bumps on "clear" so late replies for an old conversation are dropped
    this.inFlight = false;
    this.retryTimer = null;
    this.retryDelay = 1000;
    this.focusQuickReply = false;
    this.build();
    this.renderAll();
    if (!this.state.messages.length) this.welcome();
    this.pump();
  }

  Widget.prototype.build = function () {
    var self = this;
    var inputId = uniqueId("sp-input");
    var privacyId = uniqueId("sp-privacy");
    var titleId = uniqueId("sp-title");

    this.log = el("div", {
      className: "sp-log", role: "log", "aria-live": "polite", "aria-relevant": "additions",
      "aria-label": "Conversation", tabindex: "0"
    });
    this.typing = el("div", { className: "sp-typing", hidden: true }, [
      el("span", { className: "sp-dots", "aria-hidden": "true" }, [el("span"), el("span"), el("span")]),
      el("span", { text: "Signpost is typing…" })
    ]);
    this.statusText = el("span", { className: "sp-status-text" });
    this.retryButton = el("button", { type: "button", className: "sp-button sp-retry", hidden: true, text: "Try again now" });
    this.status = el("div", { className: "sp-status" }, [
      el("div", { role: "status", "aria-live": "polite" }, [this.statusText]),
      this.retryButton
    ]);
    this.input = el("input", {
      id: inputId, className: "sp-input", type: "text", autocomplete: "off", maxlength: "1000",
      "aria-describedby": privacyId, enterkeyhint: "send"
    });
    this.form = el("form", { className: "sp-form" }, [
      el("label", { "for": inputId, className: "sp-visually-hidden", text: "Your message" }),
      this.input,
      el("button", { type: "submit", className: "sp-button sp-send", text: "Send" })
    ]);
    this.clearButton = el("button", { type: "button", className: "sp-button sp-clear", text: "Clear conversation" });

    var widget = el("section", { className: "sp-widget", "aria-labelledby": titleId }, [
      el("div", { className: "sp-banner", role: "note" }, [
        el("strong", null, ["Someone in danger now? ", el("a", { href: "tel:999", className: "sp-banner-call", text: "Call 999" })]),
        el("span", { className: "sp-banner-extra", text: " On a mobile, if they cannot speak: 999 then 55." })
      ]),
      el("header", { className: "sp-header" }, [
        el("h2", { id: titleId, className: "sp-title", text: "Signpost" }),
        el("p", { className: "sp-subtitle", text: "Where to refer a domestic abuse disclosure" })
      ]),
      this.log,
      this.typing,
      this.status,
      this.form,
      el("div", { className: "sp-footer" }, [
        el("p", { id: privacyId, className: "sp-privacy", text: "Please don't type names or other details that could identify anyone." }),
        this.clearButton
      ])
    ]);
    this.root.textContent = "";
    this.root.appendChild(widget);

    this.form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = self.input.value.trim();
      if (!text) return;
      self.input.value = "";
      self.send(text, text);
    });
    this.clearButton.addEventListener("click", function () { self.clear(); });
    this.retryButton.addEventListener("click", function () { self.retryNow(); });
    window.addEventListener("online", function () { self.retryNow(); });
  };

  Widget.prototype.welcome = function () {
    this.addMessage({
      from: "bot",
      text: "Hello. I can help you decide where to refer when someone has told you about domestic abuse. " +
        "Tell me in a sentence or two what you have heard, or ask a question such as \"what is MARAC?\"."
    });
  };

  Widget.prototype.renderAll = function () {
    var self = this;
    this.log.textContent = "";
    this.state.messages.forEach(function (m) { self.log.appendChild(self.renderMessage(m)); });
    this.scrollToEnd();
  };

  Widget.prototype.renderMessage = function (message) {
    var self = this;
    var from = message.from === "user" ? "user" : (message.from === "notice" ? "notice" : "bot");
    var who = from === "user" ? "You" : (from === "notice" ? "Notice" : "Signpost");
    var wrapper = el("div", { className: "sp-message sp-from-" + from });
    wrapper.appendChild(el("span", { className: "sp-visually-hidden", text: who + ": " }));
    var body = null;
    if (message.custom && typeof message.custom === "object") {
      if (message.custom.recommendation && typeof message.custom.recommendation === "object") {
        body = renderRecommendation(message.custom.recommendation, asText(message.plainText));
      } else if (message.custom.answer && typeof message.custom.answer === "object") {
        body = renderAnswer(message.custom.answer);
      }
      if (!body) return el("div", { className: "sp-message sp-empty", hidden: true });
      wrapper.appendChild(body);
      return wrapper;
    }
    var bubble = el("p", { className: "sp-bubble" });
    // Bot text may name a number to call: make it a tel: link. A person's own words stay exactly as typed.
    bubble.appendChild(from === "bot" ? textWithPhoneLinks(asText(message.text)) : document.createTextNode(asText(message.text)));
    wrapper.appendChild(bubble);
    if (from === "bot" && Array.isArray(message.buttons) && message.buttons.length && !message.answered) {
      var group = el("div", { className: "sp-quick-replies", role: "group", "aria-label": "Quick replies" });
      message.buttons.forEach(function (b) {
        var button = el("button", { type: "button", className: "sp-button sp-quick-reply", "data-payload": b.payload, text: b.title });
        button.addEventListener("click", function () {
          self.focusQuickReply = true;
          self.send(b.payload || b.title, b.title);
        });
        group.appendChild(button);
      });
      wrapper.appendChild(group);
    }
    return wrapper;
  };

  Widget.prototype.addMessage = function (message) {
    this.state.messages.push(message);
    saveState(this.state);
    var node = this.log.appendChild(this.renderMessage(message));
    this.scrollToEnd();
    return node;
  };

  Widget.prototype.scrollToEnd = function () {
    this.log.scrollTop = this.log.scrollHeight;
  };

  // Once the user answers, earlier quick replies go away so an old question can't be answered twice.
  Widget.prototype.retireQuickReplies = function () {
    this.state.messages.forEach(function (m) { if (m.buttons) m.answered = true; });
    Array.prototype.forEach.call(this.log.querySelectorAll(".sp-quick-replies"), function (g) { g.remove(); });
  };

  Widget.prototype.send = function (message, shown) {
    this.retireQuickReplies();
    this.addMessage({ from: "user", text: shown });
    this.state.pending.push({ message: message });
    saveState(this.state);
    if (this.focusQuickReply && !this.root.contains(document.activeElement)) this.input.focus();
    this.pump();
  };

  // Every message says which area's guidance to use (the page's data-area), as message metadata.
  function messageBody(sender, message) {
    var body = { sender: sender, message: message };
    if (config.area) body.metadata = { area: config.area };
    return body;
  }

  function isRecommendation(r) {
    return !!(r && r.custom && typeof r.custom === "object" && r.custom.recommendation &&
      typeof r.custom.recommendation === "object");
  }

  function isPlainText(r) {
    return !!(r && typeof r.text === "string" && r.text && !r.custom && !(Array.isArray(r.buttons) && r.buttons.length));
  }

  // Returns how many messages were shown. The plain-text copy of a recommendation
  // (sent for channels that cannot draw a card; Rasa splits it at blank lines)
  // arrives just before the card: it is kept, folded inside the card, not repeated.
  Widget.prototype.addBotResponses = function (responses) {
    var self = this;
    var items = responses.filter(function (r) { return r && typeof r === "object"; });
    var folded = {};
    var plainFor = {};
    items.forEach(function (r, index) {
      if (!isRecommendation(r)) return;
      var texts = [];
      for (var j = index - 1; j >= 0 && isPlainText(items[j]) && !folded[j]; j -= 1) {
        folded[j] = true;
        texts.unshift(items[j].text);
      }
      plainFor[index] = texts.join("\n\n");
    });
    var firstCard = null;
    var firstNode = null;
    var shown = 0;
    // A knowledge answer's text already carries the passage, source and review date;
    // its card is only drawn when no text came with it.
    var skipAnswer = {};
    items.forEach(function (r, index) {
      if (r.custom && typeof r.custom === "object" && r.custom.answer && isPlainText(items[index - 1])) {
        skipAnswer[index] = true;
      }
    });
    items.forEach(function (r, index) {
      if (folded[index]) return;
      if (typeof r.text === "string" && r.text) {
        var buttons = Array.isArray(r.buttons) ? r.buttons.filter(function (b) {
          return b && (typeof b.title === "string" || typeof b.payload === "string");
        }).map(function (b) {
          return { title: asText(b.title) || asText(b.payload), payload: asText(b.payload) || asText(b.title) };
        }) : [];
        var textNode = self.addMessage(buttons.length ? { from: "bot", text: r.text, buttons: buttons } : { from: "bot", text: r.text });
        firstNode = firstNode || textNode;
        shown += 1;
      }
      if (r.custom && typeof r.custom === "object" && !skipAnswer[index]) {
        var message = { from: "bot", custom: r.custom };
        if (plainFor[index]) message.plainText = plainFor[index];
        var node = self.addMessage(message);
        firstNode = firstNode || node;
        if (!firstCard && node.querySelector(".sp-card")) firstCard = node;
        shown += 1;
      }
    });
    // A reply is read from its start (a 999 warning may come first), and a card from its top.
    var start = firstCard || firstNode;
    if (start && this.log.scrollHeight - start.offsetTop > this.log.clientHeight) {
      this.log.scrollTop = start.offsetTop - 8;
    }
    return shown;
  };

  Widget.prototype.setTyping = function (on) {
    this.typing.hidden = !on;
    this.log.setAttribute("aria-busy", on ? "true" : "false");
  };

  Widget.prototype.setStatus = function (text, showRetry) {
    this.statusText.textContent = text;
    this.retryButton.hidden = !showRetry;
    this.status.classList.toggle("sp-status-visible", !!text);
  };

  Widget.prototype.post = function (message) {
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT_MS);
    return fetch(config.rasaUrl + "/webhooks/signpost/webhook", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(messageBody(this.state.sender, message)),
      credentials: "omit",
      referrerPolicy: "no-referrer",
      cache: "no-store",
      signal: controller.signal
    }).then(function (response) {
      clearTimeout(timer);
      if (!response.ok) {
        var retry = response.status >= 500 || response.status === 429;
        throw { retry: retry };
      }
      return response.json().then(function (body) { return Array.isArray(body) ? body : []; },
        function () { throw { retry: false }; });
    }, function () {
      clearTimeout(timer);
      throw { retry: true };
    });
  };

  // Sends queued messages one at a time, in order; a lost connection keeps them queued.
  Widget.prototype.pump = function () {
    var self = this;
    if (this.inFlight || !this.state.pending.length || this.retryTimer) return;
    var generation = this.generation;
    var item = this.state.pending[0];
    this.inFlight = true;
    this.setTyping(true);
    this.post(item.message).then(function (responses) {
      if (generation !== self.generation) return;
      self.inFlight = false;
      self.state.pending.shift();
      self.retryDelay = 1000;
      self.setStatus("", false);
      self.setTyping(false);
      if (!self.addBotResponses(responses)) {
        // Never leave the person without a next step, even if the bot had nothing to say.
        self.addMessage({
          from: "notice",
          text: "No reply came back for that. You could say it another way or ask your safeguarding lead. " +
            "If anyone is in danger now, call 999."
        });
      }
      saveState(self.state);
      self.afterReply();
      self.pump();
    }, function (err) {
      if (generation !== self.generation) return;
      self.inFlight = false;
      self.setTyping(false);
      if (err && err.retry) {
        self.scheduleRetry();
      } else {
        self.state.pending.shift();
        self.addMessage({
          from: "notice",
          text: "Sorry, something went wrong with that message. Please try saying it another way, " +
            "or talk to your safeguarding lead. If anyone is in danger now, call 999."
        });
        self.pump();
      }
    });
  };

  Widget.prototype.scheduleRetry = function () {
    var self = this;
    var delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, config.retryMaxMs);
    this.setStatus("Connection lost. Your conversation is kept and will carry on when the connection is back. " +
      "Trying again in " + Math.ceil(delay / 1000) + " s.", true);
    this.retryTimer = setTimeout(function () {
      self.retryTimer = null;
      self.pump();
    }, delay);
  };

  Widget.prototype.retryNow = function () {
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    if (this.retryButton === document.activeElement) this.input.focus();
    this.pump();
  };

  // After a quick-reply click the pressed button is gone: put focus on the next choice, or the input.
  Widget.prototype.afterReply = function () {
    if (!this.focusQuickReply || this.state.pending.length) return;
    this.focusQuickReply = false;
    var next = this.log.querySelector(".sp-quick-reply");
    (next || this.input).focus();
  };

  Widget.prototype.clear = function () {
    var oldSender = this.state.sender;
    this.generation += 1;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.inFlight = false;
    this.retryDelay = 1000;
    this.setTyping(false);
    // Tell the server the conversation is over; if it can't be reached the old id is simply never used again.
    fetch(config.rasaUrl + "/webhooks/signpost/webhook", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(messageBody(oldSender, "/restart")),
      credentials: "omit", referrerPolicy: "no-referrer", cache: "no-store"
    }).catch(function () {});
    this.state = freshState();
    saveState(this.state);
    this.renderAll();
    this.welcome();
    this.setStatus("Conversation cleared.", false);
    this.input.focus();
  };

  function injectStylesheet() {
    if (!config.cssUrl || document.querySelector("link[data-signpost-css]")) return;
    document.head.appendChild(el("link", { rel: "stylesheet", href: config.cssUrl, "data-signpost-css": "" }));
  }

  function boot() {
    var root = document.getElementById(config.target);
    // data-area may sit on the chat's own element (<div id="signpost-chat" data-area="st_helens">)
    if (root && !config.area && root.dataset && root.dataset.area) config.area = root.dataset.area;
    if (!root) return;
    injectStylesheet();
    window.signpostWidget = new Widget(root);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
