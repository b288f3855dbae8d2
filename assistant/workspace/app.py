"""The workspace's web server (aiohttp): pages, forms and one JSON check.

aiohttp rather than Sanic: it is already installed with Rasa, runs as one
plain process with no worker processes or global app registry, and its
middlewares make "every page needs sign-in, every POST needs the CSRF token"
one place in the code rather than a rule each handler must remember.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import difflib
import json
import re
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from aiohttp import web

from assistant.dates import as_date
from assistant.guidance import GuidanceError

from . import editor, items, view
from .accounts import Author
from .drafts import Change, Draft
from .edits import EditError, item_text, replace_item
from .oidc import FLOW_COOKIE, FLOW_SECONDS, OidcClient, SignInRefused
from .security import SESSION_COOKIE, Session, Sessions, SignInLimiter, csrf_ok
from .workspace import Refused, Workspace, contact_text, parse_setting, question_text, setting_text, shown

HERE = Path(__file__).resolve().parent
PUBLIC = ("/signin", "/static/")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

WS = web.AppKey("workspace", Workspace)
SESSIONS = web.AppKey("sessions", Sessions)
BY_NAME = web.AppKey("by_name", SignInLimiter)
BY_ADDRESS = web.AppKey("by_address", SignInLimiter)
TEMPLATES = web.AppKey("templates", jinja2.Environment)
SECURE = web.AppKey("secure", bool)
OIDC = web.AppKey("oidc", OidcClient)

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'; object-src 'none'")


# ---- plumbing: sessions, sign-in, CSRF, headers ------------------------------

def session_of(request: web.Request) -> Session:
    return request["session"]


def user_of(request: web.Request) -> Author:
    return request["user"]


@web.middleware
async def security(request: web.Request, handler: Handler) -> web.StreamResponse:
    sessions = request.app[SESSIONS]
    session = sessions.get(request.cookies.get(SESSION_COOKIE))
    fresh = session is None
    if session is None:
        session = sessions.new()
    request["session"] = session
    if session.user and session.role:
        user: Author | None = Author(session.user, session.role)  # signed in through the organisation
    else:
        user = request.app[WS].accounts.get(session.user) if session.user else None
    if session.user and user is None:
        session.user = None  # the account was removed
    request["user"] = user
    public = request.path.startswith(PUBLIC)
    try:
        if not public and user is None:
            target = request.path_qs if request.method == "GET" else "/"
            raise web.HTTPSeeOther(f"/signin?next={quote(target)}")
        if request.method == "POST":
            token: object = request.headers.get("X-CSRF-Token")
            if token is None and request.content_type in ("application/x-www-form-urlencoded",
                                                          "multipart/form-data"):
                token = (await request.post()).get("csrf")
            if not csrf_ok(session, token if isinstance(token, str) else None):
                response: web.StreamResponse = render(
                    request, "refused.html", status=403, title="Form refused",
                    reason="This form did not come from a page of the workspace, or it has expired. "
                           "Go back, reload the page and try again.")
            else:
                response = await handler(request)
        else:
            response = await handler(request)
    except web.HTTPException as exc:
        response = exc
    except GuidanceError as exc:
        # the published folder was broken by hand: say where, never a bare crash
        response = render(request, "invalid.html", status=503, title="The published guidance has errors",
                          problems=[shown(p) for p in exc.problems if p.is_error])
    if fresh or request.get("new_session"):
        current: Session = request["session"]
        response.set_cookie(SESSION_COOKIE, current.id, httponly=True, samesite="Strict",
                            secure=request.app[SECURE], path="/")
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if not request.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")
    if isinstance(response, web.HTTPException):
        raise response  # aiohttp sends a raised HTTPException as the response, headers and cookie included
    return response


def render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    env = request.app[TEMPLATES]
    session = request["session"]
    flash, session.flash = session.flash, None
    ws = request.app[WS]
    user = request.get("user")
    html = env.get_template(template).render(
        csrf=session.csrf, user=user, flash=flash, path=request.path,
        my_draft=ws.drafts.open_for(user.name) if user else None, **context)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def flash_and_go(request: web.Request, message: str, location: str) -> web.HTTPSeeOther:
    session_of(request).flash = message
    return web.HTTPSeeOther(location)


def local_path(target: str | None) -> str:
    """Only paths on this server: a sign-in link can never send someone elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


# ---- sign in / out ------------------------------------------------------------

async def signin_page(request: web.Request) -> web.Response:
    if request.get("user"):
        raise web.HTTPSeeOther("/")
    return render(request, "signin.html", title="Sign in", next=local_path(request.query.get("next")),
                  oidc=OIDC in request.app)


async def signin(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    name, password = str(form.get("name", "")).strip(), str(form.get("password", ""))
    target = local_path(str(form.get("next", "/")))
    keys_name, keys_addr = f"name:{name.lower()}", f"addr:{request.remote}"
    by_name, by_address = request.app[BY_NAME], request.app[BY_ADDRESS]
    wait = max(by_name.wait_seconds(keys_name), by_address.wait_seconds(keys_addr))
    if wait:
        response = render(request, "signin.html", status=429, title="Sign in", next=target, name=name,
                          oidc=OIDC in request.app,
                          error=f"Too many wrong passwords. Wait {wait} seconds, then try again.")
        response.headers["Retry-After"] = str(wait)
        return response
    user = request.app[WS].accounts.verify(name, password)
    if user is None:
        by_name.failed(keys_name)
        by_address.failed(keys_addr)
        wait = max(by_name.wait_seconds(keys_name), by_address.wait_seconds(keys_addr))
        error = "That name and password do not match an author account."
        if wait:
            error += f" Too many wrong passwords: wait {wait} seconds, then try again."
        return render(request, "signin.html", status=401, title="Sign in", next=target, name=name, error=error,
                      oidc=OIDC in request.app)
    by_name.succeeded(keys_name)
    sessions = request.app[SESSIONS]
    sessions.end(session_of(request).id)           # a new session id on sign-in (no fixation)
    request["session"] = sessions.new(user.name)
    request["new_session"] = True
    return web.HTTPSeeOther(target)


def _base_url(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}"


def _signin_refused(request: web.Request, reason: str, status: int = 401) -> web.Response:
    return render(request, "signin_refused.html", status=status, title="Sign-in refused", reason=reason)


async def oidc_start(request: web.Request) -> web.StreamResponse:
    """Sends the browser to the organisation's sign-in, remembering what must come back."""
    client = request.app[OIDC]
    form = await request.post()
    addr = f"addr:{request.remote}"
    wait = request.app[BY_ADDRESS].wait_seconds(addr)
    if wait:
        return _signin_refused(request, f"Too many refused sign-ins from here. Wait {wait} seconds, then try again.",
                               status=429)
    try:
        flow_id, url = await client.start(_base_url(request), local_path(str(form.get("next", "/"))),
                                          session_of(request).id)
    except SignInRefused as exc:
        return _signin_refused(request, str(exc), status=502)
    response = web.HTTPSeeOther(url)
    # Lax, not Strict: the provider's redirect back is a cross-site navigation, and must carry it
    response.set_cookie(FLOW_COOKIE, flow_id, httponly=True, samesite="Lax", secure=request.app[SECURE],
                        path="/signin/oidc", max_age=FLOW_SECONDS)
    return response


async def oidc_callback(request: web.Request) -> web.StreamResponse:
    client = request.app[OIDC]
    addr = f"addr:{request.remote}"
    by_address = request.app[BY_ADDRESS]
    wait = by_address.wait_seconds(addr)
    if wait:
        return _signin_refused(request, f"Too many refused sign-ins from here. Wait {wait} seconds, then try again.",
                               status=429)
    try:
        flow = client.take_flow(request.cookies.get(FLOW_COOKIE), request.query.get("state"))
        if "error" in request.query:
            raise SignInRefused("The organisation's sign-in service did not sign you in ("
                                f"{request.query.get('error_description') or request.query['error']}"[:300] + ").")
        code = request.query.get("code")
        if not code:
            raise SignInRefused("The sign-in service sent no code back. Start again from the sign-in page.")
        user = await client.finish(flow, code)
    except SignInRefused as exc:
        by_address.failed(addr)
        response = _signin_refused(request, str(exc))
        response.del_cookie(FLOW_COOKIE, path="/signin/oidc")
        return response
    sessions = request.app[SESSIONS]
    sessions.end(flow.session_id)                  # a new session id on sign-in (no fixation)
    sessions.end(session_of(request).id)
    request["session"] = sessions.new(user.name, user.role)
    request["new_session"] = True
    request["user"] = user
    # a page, not a redirect: after the provider's cross-site redirect the browser would not send the
    # SameSite=Strict session cookie on a redirect to the target, but does on this page's own navigation
    response = render(request, "signed_in.html", title="Signed in", target=flow.target)
    response.del_cookie(FLOW_COOKIE, path="/signin/oidc")
    return response


async def signout(request: web.Request) -> web.StreamResponse:
    sessions = request.app[SESSIONS]
    sessions.end(session_of(request).id)
    request["session"] = sessions.new()
    request["new_session"] = True
    return web.HTTPSeeOther("/signin")


# ---- seeing the guidance --------------------------------------------------------

def _draft_of(request: web.Request) -> Draft | None:
    return request.app[WS].draft_for(user_of(request))


async def overview(request: web.Request) -> web.Response:
    ws = request.app[WS]
    guidance = ws.guidance()
    waiting = [d for d in ws.drafts.all() if d.status == "open" and d.files]
    stale = [c for c in view.contacts(ws.pathways) if c.stale]
    return render(request, "overview.html", title="Signpost guidance", guidance=guidance,
                  areas=view.areas(ws.pathways), waiting=waiting, stale=len(stale),
                  history=ws.history.log(5), articles=len(items.articles(ws.knowledge)))


async def pathways_page(request: web.Request) -> web.Response:
    ws = request.app[WS]
    guidance = ws.guidance()
    rules = view.rules(ws.pathways, guidance)
    by_pathway: dict[str, list[view.RuleView]] = {}
    for rule_view, rule in zip(rules, _raw_rules(ws.pathways), strict=True):
        for pid in [rule.get("add"), *(_as_list(rule.get("exclude")))]:
            if pid:
                by_pathway.setdefault(str(pid), []).append(rule_view)
    per_area = {a.id: ws.guidance(a.id) for a in view.areas(ws.pathways)}
    return render(request, "pathways.html", title="Pathways", guidance=guidance, by_pathway=by_pathway,
                  per_area=per_area)


async def questions_page(request: web.Request) -> web.Response:
    return render(request, "questions.html", title="Questions", guidance=request.app[WS].guidance())


def _question(ws: Workspace, draft: Draft | None, fact_id: str) -> tuple[view.QuestionView, str]:
    with ws.tree(draft) as root:
        found = next((q for q in view.questions(root) if q.id == fact_id), None)
        text = (root / "facts.yaml").read_text(encoding="utf-8")
    if found is None:
        raise web.HTTPNotFound(text="There is no such question.")
    return found, text


async def question_form(request: web.Request) -> web.Response:
    question, _ = _question(request.app[WS], _draft_of(request), request.match_info["fact"])
    return render(request, "question_edit.html", title=f"Edit question {question.id}", question=question, errors=[])


async def question_save(request: web.Request) -> web.StreamResponse:
    ws = request.app[WS]
    question, text = _question(ws, _draft_of(request), request.match_info["fact"])
    form = await request.post()
    wording, why = str(form.get("question", "")), str(form.get("why", ""))
    labels = [str(form.get(f"label-{i}", "")) for i in range(len(question.options))]
    try:
        new_text = question_text(text, question, wording, why, labels)
    except Refused as exc:
        return render(request, "question_edit.html", status=422, title=f"Edit question {question.id}",
                      question=question, errors=[str(exc)])
    ws.edit(user_of(request), "facts.yaml", new_text,
            Change("question", "facts.yaml", f"question {question.id} reworded"))
    raise flash_and_go(request, f"Saved in your draft: question {question.id}.", "/draft")


def _as_list(value: Any) -> list:
    return [] if value is None else [value] if isinstance(value, str) else list(value)


def _raw_rules(folder: Path) -> list[dict]:
    doc = view.read(folder, "rules.yaml")
    return [r for r in (doc.get("rules") or []) if isinstance(r, dict)] if isinstance(doc, dict) else []


async def rules_page(request: web.Request) -> web.Response:
    ws = request.app[WS]
    return render(request, "rules.html", title="Rules", rules=view.rules(ws.pathways, ws.guidance()))


async def contacts_page(request: web.Request) -> web.Response:
    ws = request.app[WS]
    return render(request, "contacts.html", title="Contacts", contacts=view.contacts(ws.pathways),
                  max_age=view.max_age_days(ws.pathways))


async def areas_page(request: web.Request) -> web.Response:
    ws = request.app[WS]
    with ws.tree(_draft_of(request)) as root:
        areas = view.areas(root)
    return render(request, "areas.html", title="Areas and settings", areas=areas)


async def knowledge_page(request: web.Request) -> web.Response:
    ws = request.app[WS]
    draft = _draft_of(request)
    with ws.tree(draft) as root:
        found = items.articles(root.parent / "knowledge") if ws.knowledge else []
    return render(request, "knowledge.html", title="Knowledge articles", articles=found,
                  in_draft=set(draft.files) if draft else set(), has_folder=ws.knowledge is not None)


async def scenarios_page(request: web.Request) -> web.Response:
    ws = request.app[WS]
    draft = _draft_of(request)
    with ws.tree(draft) as root:
        found = items.scenarios(root)
    return render(request, "scenarios.html", title="Worked examples", scenarios=found,
                  in_draft=set(draft.files) if draft else set())


# ---- editing --------------------------------------------------------------------

async def contact_form(request: web.Request) -> web.Response:
    ws = request.app[WS]
    key = request.query.get("key", "")
    with ws.tree(_draft_of(request)) as root:
        contact = view.find_contact(root, key)
    if contact is None:
        raise web.HTTPNotFound(text="There is no such contact.")
    return render(request, "contact_edit.html", title=f"Edit contact: {contact.name}", contact=contact,
                  today=_dt.date.today().isoformat(), reach_keys=view.REACH_KEYS)


async def contact_save(request: web.Request) -> web.StreamResponse:
    ws = request.app[WS]
    form = await request.post()
    key, field_name = str(form.get("key", "")), str(form.get("field", "phone"))
    value, verified = str(form.get("value", "")).strip(), str(form.get("last_verified", "")).strip()
    draft = _draft_of(request)
    with ws.tree(draft) as root:
        contact = view.find_contact(root, key)
        text = (root / contact.file).read_text(encoding="utf-8") if contact else ""
    if contact is None:
        raise web.HTTPNotFound(text="There is no such contact.")
    errors = []
    date = as_date(verified)
    if date is None:
        errors.append("Give the date you checked the contact, as YYYY-MM-DD.")
    elif date > _dt.date.today():
        errors.append("The date you checked it cannot be in the future.")
    if not value:
        errors.append(f"Give the contact's {field_name}.")
    if not errors:
        try:
            new_text = contact_text(text, contact, field_name, value, date)
        except (Refused, EditError) as exc:
            errors.append(str(exc))
    if errors:
        return render(request, "contact_edit.html", status=422, title=f"Edit contact: {contact.name}", contact=contact,
                      today=verified, reach_keys=view.REACH_KEYS, errors=errors, value=value, field=field_name)
    where = contact.area or "national"
    ws.edit(user_of(request), contact.file, new_text,
            Change("contact", contact.file,
                   f"contact '{contact.name}' ({contact.pathway}, {where}): {field_name} {value}, verified {verified}"))
    raise flash_and_go(request, f"Saved in your draft: {contact.name}.", "/draft")


async def settings_save(request: web.Request) -> web.StreamResponse:
    ws = request.app[WS]
    area_id = request.match_info["area"]
    form = await request.post()
    draft = _draft_of(request)
    with ws.tree(draft) as root:
        area = next((a for a in view.areas(root) if a.id == area_id), None)
        text = (root / area.file).read_text(encoding="utf-8") if area else ""
    if area is None:
        raise web.HTTPNotFound(text="There is no such area.")
    changed, errors = [], []
    for setting in area.settings:
        if isinstance(setting.value, (list, dict)) or f"setting-{setting.name}" not in form:
            continue
        try:
            value = parse_setting(str(form[f"setting-{setting.name}"]), setting.value)
        except Refused as exc:
            errors.append(f"{setting.name}: {exc}")
            continue
        if value != setting.value:
            with _with_text(ws, draft, area.file, text) as folder:
                areas_now = {a.id: a for a in view.areas(folder)}
            text = setting_text(text, areas_now[area_id], setting.name, value)
            changed.append(f"{setting.name} {setting.value!r} → {value!r}")
    if errors:
        with ws.tree(draft) as root:
            areas = view.areas(root)
        return render(request, "areas.html", status=422, title="Areas and settings", areas=areas, errors=errors)
    if not changed:
        raise flash_and_go(request, "Nothing changed.", "/areas")
    ws.edit(user_of(request), area.file, text,
            Change("setting", area.file, f"settings of {area.name}: " + ", ".join(changed)))
    raise flash_and_go(request, f"Saved in your draft: settings of {area.name}.", "/draft")


@contextlib.contextmanager
def _with_text(ws: Workspace, draft: Draft | None, rel: str, text: str) -> Iterator[Path]:
    """A throwaway folder holding one file's text (and guidance.yaml), read with the validator's reader."""
    with tempfile.TemporaryDirectory(prefix="signpost-text-") as tmp:
        folder = Path(tmp) / "pathways"
        (folder / Path(rel).parent).mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")
        (folder / "guidance.yaml").write_text(ws.text("guidance.yaml", draft), encoding="utf-8")
        yield folder


def _rule_span(ws: Workspace, draft: Draft | None, rule_id: str) -> tuple[str, int, int, str, int] | None:
    """(rules.yaml text, first line, last line, the rule's block, its column) in the draft's rules."""
    text = ws.text("rules.yaml", draft)
    with _with_text(ws, draft, "rules.yaml", text) as folder:
        doc = view.read(folder, "rules.yaml")
    if not isinstance(doc, dict) or not isinstance(doc.get("rules"), list):
        return None
    items = doc["rules"]
    from .edits import item_end
    for i, rule in enumerate(items):
        if isinstance(rule, dict) and str(rule.get("id")) == rule_id:
            start = items.line_of(i)
            end = item_end(text, start, items.line_of(i + 1) if i + 1 < len(items) else None)
            block, column = item_text(text, start, end)
            return text, start, end, block, column
    return None


def _rule_problems(ws: Workspace, draft: Draft | None, rule_id: str, block: str) -> tuple[str, list[dict]]:
    span = _rule_span(ws, draft, rule_id)
    if span is None:
        raise web.HTTPNotFound(text="There is no such rule.")
    text, start, end, _, column = span
    new_text = replace_item(text, start, end, block, column)
    report = ws.report(draft, {"rules.yaml": new_text}, with_impact=False)
    last = start + len(block.rstrip("\n").split("\n")) - 1
    problems = []
    for p in report.problems:
        inside = p.file == "rules.yaml" and start <= p.line <= last
        problems.append({"file": p.file, "line": p.line, "message": p.message, "fix": p.fix, "severity": p.severity,
                         "rule_line": p.line - start + 1 if inside else None})
    problems.sort(key=lambda p: (p["severity"] != "error", p["rule_line"] is None))
    return new_text, problems


async def rule_form(request: web.Request) -> web.Response:
    ws = request.app[WS]
    rule_id = request.match_info["rule"]
    span = _rule_span(ws, _draft_of(request), rule_id)
    if span is None:
        raise web.HTTPNotFound(text="There is no such rule.")
    return render(request, "rule_edit.html", title=f"Edit rule {rule_id}", rule_id=rule_id, block=span[3],
                  start=span[1], problems=None)


async def rule_save(request: web.Request) -> web.StreamResponse:
    ws = request.app[WS]
    rule_id = request.match_info["rule"]
    form = await request.post()
    block = str(form.get("text", ""))
    draft = _draft_of(request)
    new_text, problems = _rule_problems(ws, draft, rule_id, block)
    ws.edit(user_of(request), "rules.yaml", new_text, Change("rule", "rules.yaml", f"rule {rule_id} edited"))
    errors = [p for p in problems if p["severity"] == "error"]
    if errors:
        span = _rule_span(ws, _draft_of(request), rule_id)
        return render(request, "rule_edit.html", status=422, title=f"Edit rule {rule_id}", rule_id=rule_id, block=block,
                      start=span[1] if span else 0, problems=problems, saved_with_errors=True)
    raise flash_and_go(request, f"Saved in your draft: rule {rule_id}.", "/draft")


async def check_rule(request: web.Request) -> web.Response:
    """The rule editor's check as the author types. The same endpoint checks a worked example or an
    article when sent {kind, rule: NAME, text}, or {rule: "KIND:NAME", text} (an editor form's data-rule)."""
    try:
        data = await request.json()
        item, text = str(data["rule"]), str(data["text"])
        kind = str(data.get("kind") or "rule")
    except (ValueError, KeyError, TypeError, AttributeError):
        return web.json_response({"error": "send {rule, text}"}, status=400)
    prefix, _, rest = item.partition(":")
    if kind == "rule" and prefix in ("scenario", "article") and rest:
        kind, item = prefix, rest
    return await _check(request, kind, item, text)


async def check_item(request: web.Request) -> web.Response:
    """Checks any item an editor holds: {kind: rule|scenario|article, item: its id (or "new"), text}."""
    try:
        data = await request.json()
        kind, item, text = str(data["kind"]), str(data["item"]), str(data["text"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return web.json_response({"error": "send {kind, item, text}"}, status=400)
    return await _check(request, kind, item, text)


async def _check(request: web.Request, kind: str, item: str, text: str) -> web.Response:
    ws, draft = request.app[WS], _draft_of(request)
    if kind == "rule":
        problems = _rule_problems(ws, draft, item, text)[1]
    elif kind in ("scenario", "article"):
        if kind == "article" and ws.knowledge is None:
            return web.json_response({"error": "this workspace has no knowledge folder"}, status=404)
        rel = _checked_rel(ws, draft, kind, item, text)
        problems = _file_problems(ws, draft, rel, text)
    else:
        return web.json_response({"error": f"kind is one of {', '.join(items.KINDS)}"}, status=400)
    return web.json_response({"valid": not any(p["severity"] == "error" for p in problems), "problems": problems})


# ---- worked examples and articles: whole files in a YAML editor ----------------------

def _rel(kind: str, name: str) -> str:
    return items.scenario_rel(name) if kind == "scenario" else items.article_rel(name)


def _checked_rel(ws: Workspace, draft: Draft | None, kind: str, item: str, text: str) -> str:
    """The file a check lays the text over: the item's own, or for a new one the name it will get."""
    pattern = items.SCENARIO_NAME if kind == "scenario" else items.ARTICLE_NAME
    if item != "new" and pattern.match(item) and ws.exists(_rel(kind, item), draft):
        return _rel(kind, item)
    if kind == "article":  # a new article's file name is its id
        found = re.search(r"^id:\s*['\"]?([a-z0-9][a-z0-9-]*)['\"]?\s*$", text, re.M)
        if found and not ws.exists(_rel(kind, found[1]), draft):
            return _rel(kind, found[1])
        return _rel(kind, "new-article")
    return _rel(kind, "new_worked_example")


def _file_problems(ws: Workspace, draft: Draft | None, rel: str, text: str) -> list[dict]:
    """The problems with ``text`` laid over ``rel`` in the draft: every error (errors elsewhere
    block publishing too), and this file's warnings (others' stale dates are not this edit's)."""
    report = ws.report(draft, {rel: _normal(text)}, with_impact=False)
    problems = [{"file": p.file, "line": p.line, "message": p.message, "fix": p.fix, "severity": p.severity,
                 "rule_line": None, "here": p.file == rel} for p in report.problems if p.is_error or p.file == rel]
    problems.sort(key=lambda p: (p["severity"] != "error", not p["here"]))
    return problems


def _normal(text: str) -> str:
    text = text.replace("\r\n", "\n")
    return text if text.endswith("\n") else text + "\n"


KIND_WORDS = {
    "scenario": {"one": "worked example", "file": "pathways/scenarios/", "list": "/scenarios", "ext": ".yaml",
                 "help": "A worked example as YAML: name, facts (the answers), expect (pathways that must be "
                         "recommended), and optionally area, expect_not, expect_first, expect_urgency, source. "
                         "It is checked as you type, with the checks `signpost validate` and `signpost test` make."},
    "article": {"one": "article", "file": "knowledge/", "list": "/knowledge", "ext": ".md",
                "help": "The article as the bot reads it: YAML front matter between two --- lines (id, title, "
                        "summary, tags, sources, last_reviewed, pathways), then the text in Markdown, one ## "
                        "section per passage. It is checked as you type, with the checks "
                        "`signpost knowledge validate` makes."},
}


def _item_page(request: web.Request, kind: str, name: str | None, text: str, *, status: int = 200,
               problems: list[dict] | None = None, errors: list[str] | None = None,
               saved_with_errors: bool = False, new_name: str = "") -> web.Response:
    words = KIND_WORDS[kind]
    title = f"Edit {words['one']} {name}" if name else f"Add a {words['one']}"
    return render(request, "item_edit.html", status=status, title=title, kind=kind, name=name, text=text,
                  words=words, problems=problems, errors=errors or [], saved_with_errors=saved_with_errors,
                  new_name=new_name, action=f"{words['list']}/{name}" if name else f"{words['list']}/new")


def _knowledge_or_404(ws: Workspace, kind: str) -> None:
    if kind == "article" and ws.knowledge is None:
        raise web.HTTPNotFound(text="This workspace was started without a knowledge folder.")


def item_form(kind: str) -> Handler:
    async def handler(request: web.Request) -> web.Response:
        ws, draft = request.app[WS], _draft_of(request)
        _knowledge_or_404(ws, kind)
        name = request.match_info["name"]
        rel = _rel(kind, name)
        pattern = items.SCENARIO_NAME if kind == "scenario" else items.ARTICLE_NAME
        if not pattern.match(name) or not ws.exists(rel, draft):
            raise web.HTTPNotFound(text=f"There is no such {KIND_WORDS[kind]['one']}.")
        return _item_page(request, kind, name, ws.text(rel, draft))
    return handler


def new_item_form(kind: str) -> Handler:
    async def handler(request: web.Request) -> web.Response:
        _knowledge_or_404(request.app[WS], kind)
        text = items.new_scenario_text() if kind == "scenario" else items.new_article_text("new-article")
        return _item_page(request, kind, None, text)
    return handler


def item_save(kind: str, new: bool) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        ws, draft = request.app[WS], _draft_of(request)
        _knowledge_or_404(ws, kind)
        form = await request.post()
        text = _normal(str(form.get("text", "")))
        one = KIND_WORDS[kind]["one"]
        if new:
            name = str(form.get("name", "")).strip()
            rel = _rel(kind, name)
            problem = items.name_problem(kind, name, taken=lambda: ws.exists(rel, draft))
            if problem:
                return _item_page(request, kind, None, text, status=422, errors=[problem], new_name=name)
        else:
            name = request.match_info["name"]
            rel = _rel(kind, name)
            pattern = items.SCENARIO_NAME if kind == "scenario" else items.ARTICLE_NAME
            if not pattern.match(name) or not ws.exists(rel, draft):
                raise web.HTTPNotFound(text=f"There is no such {one}.")
        if not text.strip():
            return _item_page(request, kind, None if new else name, text, status=422, new_name=name,
                              errors=[f"The {one} is empty: write it, or leave this page to keep it as it was."])
        problems = _file_problems(ws, draft, rel, text)
        added = not ws.path_of(rel).is_file()
        summary = f"new {one} {name}" if added else f"{one} {name} edited"
        ws.edit(user_of(request), rel, text, Change(kind, rel, summary))
        if any(p["severity"] == "error" for p in problems):
            return _item_page(request, kind, name, text, status=422, problems=problems, saved_with_errors=True)
        raise flash_and_go(request, f"Saved in your draft: {one} {name}.", "/draft")
    return handler




# ---- drafts, review, publishing --------------------------------------------------

def _file_diffs(ws: Workspace, draft: Draft) -> list[tuple[str, list[tuple[str, str]]]]:
    out = []
    for rel in sorted(draft.files):
        source = ws.path_of(rel)
        old = source.read_text(encoding="utf-8").splitlines() if source.is_file() else []
        new = draft.files[rel].splitlines()
        lines = []
        for line in difflib.unified_diff(old, new, f"published {rel}", f"draft {rel}", n=2, lineterm=""):
            kind = "add" if line.startswith("+") and not line.startswith("+++") else \
                   "del" if line.startswith("-") and not line.startswith("---") else "ctx"
            lines.append((kind, line))
        out.append((rel, lines))
    return out


async def my_draft(request: web.Request) -> web.StreamResponse:
    draft = _draft_of(request)
    if draft is None:
        return render(request, "no_draft.html", title="Your draft")
    raise web.HTTPSeeOther(f"/drafts/{draft.id}")


async def drafts_page(request: web.Request) -> web.Response:
    ws = request.app[WS]
    return render(request, "drafts.html", title="Drafts", drafts=[d for d in ws.drafts.all() if d.status == "open"],
                  done=[d for d in ws.drafts.all() if d.status != "open"][:20])


def _get_draft(request: web.Request) -> Draft:
    draft = request.app[WS].drafts.get(request.match_info["draft"])
    if draft is None:
        raise web.HTTPNotFound(text="There is no such draft.")
    return draft


async def draft_page(request: web.Request, status: int = 200, refused: str | None = None) -> web.Response:
    ws = request.app[WS]
    draft = _get_draft(request)
    user = user_of(request)
    report = ws.report(draft) if draft.status == "open" else None
    return render(request, "draft.html", status=status, title=f"Draft by {draft.author}", draft=draft, report=report,
                  diffs=_file_diffs(ws, draft) if draft.status == "open" else [],
                  why_not_approve=ws.why_not_approve(draft, user) if draft.status == "open" else None,
                  why_not_publish=ws.why_not_publish(draft, user) if draft.status == "open" else None,
                  needs_review=ws.needs_review(draft), refused=refused)


async def draft_action(request: web.Request) -> web.StreamResponse:
    ws = request.app[WS]
    draft = _get_draft(request)
    user = user_of(request)
    action = request.match_info["action"]
    form = await request.post()
    try:
        if action == "approve":
            ws.approve(draft, user)
            raise flash_and_go(request, "Approved. The author or you can now publish it.", f"/drafts/{draft.id}")
        if action == "publish":
            sha = ws.publish(draft, user, str(form.get("why", "")))
            raise flash_and_go(request, f"Published as guidance {ws.guidance().version.split('+')[0]}. "
                               "The bot uses it from its next message.", f"/history/{sha}")
        if action == "discard":
            ws.discard(draft, user)
            raise flash_and_go(request, "The draft was discarded.", "/drafts")
        if action == "why":
            draft.why = str(form.get("why", ""))[:2000]
            ws.drafts.save(draft)
            raise flash_and_go(request, "Saved.", f"/drafts/{draft.id}")
    except Refused as exc:
        return await draft_page(request, status=403, refused=str(exc))
    raise web.HTTPNotFound()


async def history_page(request: web.Request) -> web.Response:
    return render(request, "history.html", title="History", entries=request.app[WS].history.log())


async def history_entry(request: web.Request, status: int = 200, refused: str | None = None) -> web.Response:
    ws = request.app[WS]
    sha = request.match_info["sha"]
    if not re.fullmatch(r"[0-9a-f]{7,40}", sha):
        raise web.HTTPNotFound()
    entry = ws.history.entry(sha)
    if entry is None:
        raise web.HTTPNotFound(text="There is no such change.")
    diff = [(_diff_kind(line), line) for line in ws.diff(sha).splitlines()]
    return render(request, "history_entry.html", status=status, title=f"Change {sha[:10]}", entry=entry, diff=diff,
                  can_roll_back=ws.history.parent(sha) is not None and user_of(request).is_reviewer, refused=refused)


def _diff_kind(line: str) -> str:
    if line.startswith("+") and not line.startswith("+++"):
        return "add"
    if line.startswith("-") and not line.startswith("---"):
        return "del"
    return "ctx"


async def rollback(request: web.Request) -> web.StreamResponse:
    ws = request.app[WS]
    try:
        sha = ws.rollback(request.match_info["sha"], user_of(request))
    except Refused as exc:
        return await history_entry(request, status=403, refused=str(exc))
    raise flash_and_go(request, "Rolled back. The bot uses the restored guidance from its next message.",
                       f"/history/{sha}")


# ---- trying a case -----------------------------------------------------------------

async def try_page(request: web.Request) -> web.Response:
    ws = request.app[WS]
    guidance = ws.guidance()
    draft = _draft_of(request)
    chosen = request.query.get("draft")
    if chosen:
        draft = ws.drafts.get(chosen) or draft
    answers: dict[str, str] = {}
    results: dict[str, Any] | None = None
    area = request.query.get("area") or guidance.area
    if request.method == "POST":
        form = await request.post()
        area = str(form.get("area") or guidance.area)
        if form.get("draft"):
            draft = ws.drafts.get(str(form["draft"])) or draft
        facts: dict[str, Any] = {}
        errors = []
        for fid, spec in guidance.facts.items():
            raw = str(form.get(f"fact-{fid}", "")).strip()
            answers[fid] = raw
            if not raw:
                continue
            try:
                facts[fid] = int(raw) if spec.type == "int" else json.loads(raw)
            except ValueError:
                errors.append(f"{spec.question}: write a whole number")
        if errors:
            results = {"errors": errors}
        else:
            try:
                published, drafted, problems = ws.try_case(facts, area, draft)
                results = {"published": published, "draft": drafted, "problems": problems}
            except (ValueError, GuidanceError) as exc:
                results = {"errors": [str(exc).splitlines()[0]]}
    return render(request, "try.html", title="Try a case", guidance=guidance, areas=view.areas(ws.pathways),
                  area=area, answers=answers, results=results,
                  draft=draft if draft and draft.status == "open" else None, json=json)


STATIC = (HERE / "static").resolve()


async def static_file(request: web.Request) -> web.StreamResponse:
    """Any file under static/ (vendor/ holds editor code copied from node_modules), nothing outside it."""
    target = (STATIC / request.match_info["name"]).resolve()
    if not target.is_file() or not target.is_relative_to(STATIC) or target.name.startswith("."):
        raise web.HTTPNotFound()
    return web.FileResponse(target, headers={"Cache-Control": "no-cache"})


def make_app(workspace: Workspace, *, secure_cookies: bool = False, oidc: OidcClient | None = None
             ) -> web.Application:
    app = web.Application(middlewares=[security], client_max_size=1024 ** 2)
    if oidc is not None:
        app[OIDC] = oidc

        async def close_oidc(_app: web.Application) -> AsyncIterator[None]:
            yield
            await oidc.close()
        app.cleanup_ctx.append(close_oidc)
    app[WS] = workspace
    app[SESSIONS] = Sessions()
    app[BY_NAME] = SignInLimiter()
    app[BY_ADDRESS] = SignInLimiter(free_tries=25)  # many people behind one proxy
    app[SECURE] = secure_cookies
    app[TEMPLATES] = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                                        autoescape=jinja2.select_autoescape(["html"]))
    r = app.router
    r.add_get("/signin", signin_page)
    r.add_post("/signin", signin)
    r.add_post("/signout", signout)
    if oidc is not None:
        r.add_post("/signin/oidc", oidc_start)
        r.add_get("/signin/oidc/callback", oidc_callback)
    r.add_get("/", overview)
    r.add_get("/pathways", pathways_page)
    r.add_get("/questions", questions_page)
    r.add_get("/questions/{fact}/edit", question_form)
    r.add_post("/questions/{fact}", question_save)
    r.add_get("/rules", rules_page)
    r.add_get("/rules/{rule}/edit", rule_form)
    r.add_post("/rules/{rule}", rule_save)
    r.add_post("/api/check-rule", check_rule)
    r.add_post("/api/check", check_item)
    r.add_get("/scenarios", scenarios_page)
    for kind, base in (("scenario", "/scenarios"), ("article", "/knowledge")):
        r.add_get(f"{base}/new", new_item_form(kind))
        r.add_post(f"{base}/new", item_save(kind, new=True))
        r.add_get(base + "/{name}/edit", item_form(kind))
        r.add_post(base + "/{name}", item_save(kind, new=False))
    r.add_get("/contacts", contacts_page)
    r.add_get("/contacts/edit", contact_form)
    r.add_post("/contacts/edit", contact_save)
    r.add_get("/areas", areas_page)
    r.add_post("/areas/{area}/settings", settings_save)
    r.add_get("/knowledge", knowledge_page)
    r.add_get("/draft", my_draft)
    r.add_get("/drafts", drafts_page)
    r.add_get("/drafts/{draft}", draft_page)
    r.add_post("/drafts/{draft}/{action}", draft_action)
    r.add_get("/try", try_page)
    r.add_post("/try", try_page)
    r.add_get("/history", history_page)
    r.add_get("/history/{sha}", history_entry)
    r.add_post("/history/{sha}/rollback", rollback)
    r.add_get("/static/{name:.+}", static_file)
    editor.add_routes(r)
    return app
