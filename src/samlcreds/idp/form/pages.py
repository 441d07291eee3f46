"""What a browser sees in an HTML form: its controls, what it submits, where, and page redirects.

Pure functions over lxml HTML documents (any lxml element API); no network. The rules follow the
HTML Living Standard (https://html.spec.whatwg.org/multipage/form-control-infrastructure.html,
"constructing the entry list"): controls without a name, disabled controls
(``disabled`` or inside a disabled ``fieldset``) and unchecked checkboxes/radios
are left out, an input without ``value`` submits the empty string (a checkbox
``on``), only the clicked submit button is submitted, ``type``/``method``
are case-insensitive and an unknown ``type`` is ``text``.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Iterable, NamedTuple

from samlcreds import errors

#: Input types that are a button, not data.
BUTTON_TYPES = frozenset({"submit", "image", "button", "reset"})
#: Input types that hold typed text.
TEXT_TYPES = frozenset({"text", "email", "tel", "number", "search", "url"})
_KNOWN_TYPES = TEXT_TYPES | BUTTON_TYPES | {
    "hidden", "password", "checkbox", "radio", "file", "color", "date", "datetime-local", "month", "range",
    "time", "week"}
_HIDDEN_STYLE = re.compile(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\s*(?:!important\s*)?(?:;|$)",
                           re.I)
_REFRESH = re.compile(r"^\s*(\d+(?:\.\d*)?)?\s*[;,]?\s*(?:url\s*=\s*)?(['\"]?)(.*?)\2\s*$", re.I | re.S)
#: One-statement script redirects: ``[window.|document.|top.|self.]location[.href] = '...'`` and
#: ``location.replace('...')`` / ``location.assign('...')``.
_SCRIPT_REDIRECT = re.compile(
    r"""^(?:(?:window|document|top|self)\s*\.\s*)?location\s*
        (?:(?:\.\s*href\s*)?=\s*(?P<q1>['"])(?P<u1>[^'"\\]*(?:\\.[^'"\\]*)*)(?P=q1)
          |\.\s*(?:replace|assign)\s*\(\s*(?P<q2>['"])(?P<u2>[^'"\\]*(?:\\.[^'"\\]*)*)(?P=q2)\s*\))
        \s*;?$""", re.X | re.S)
#: Longest meta-refresh delay still followed (seconds): longer ones are session-timeout reloads.
MAX_REFRESH_DELAY = 10.0


def input_type(el) -> str:
    """An input's ``type``, lower-cased; missing or unknown → ``text``; other elements: their tag."""
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    if tag == "button":
        kind = (el.get("type") or "submit").strip().lower()
        return kind if kind in ("submit", "reset", "button") else "submit"
    if tag != "input":
        return tag
    kind = (el.get("type") or "text").strip().lower()
    return kind if kind in _KNOWN_TYPES else "text"


def is_hidden(el) -> bool:
    """True when the element or an ancestor is hidden: ``type=hidden``, the ``hidden`` attribute,
    ``aria-hidden="true"``, or an inline style ``display:none`` / ``visibility:hidden``."""
    if input_type(el) == "hidden":
        return True
    node = el
    while node is not None and isinstance(node.tag, str):
        if node.get("hidden") is not None or (node.get("aria-hidden") or "").strip().lower() == "true":
            return True
        if _HIDDEN_STYLE.search(node.get("style") or ""):
            return True
        node = node.getparent()
    return False


def is_disabled(el) -> bool:
    """``disabled`` on the control, or on an ancestor ``fieldset`` (outside its first ``legend``)."""
    if el.get("disabled") is not None:
        return True
    child, node = el, el.getparent()
    while node is not None and isinstance(node.tag, str):
        if node.tag.lower() == "fieldset" and node.get("disabled") is not None:
            legends = [c for c in node if isinstance(c.tag, str) and c.tag.lower() == "legend"]
            if not (legends and legends[0] is child):
                return True
        child, node = node, node.getparent()
    return False


def controls(form) -> list:
    """The form's controls in document order: its descendants plus elements with ``form="<its id>"``."""
    tags = "self::input or self::button or self::select or self::textarea"
    own = form.xpath(f".//*[{tags}]")
    form_id = form.get("id")
    if not form_id:
        return own
    outside = [el for el in form.getroottree().xpath(f"//*[({tags}) and @form=$fid]", fid=form_id)
               if el not in own]
    if not outside:
        return own
    order = {el: i for i, el in enumerate(form.getroottree().iter())}
    return sorted(own + outside, key=lambda el: order.get(el, 0))


def submitters(form) -> list:
    """Submit buttons (``input type=submit|image``, ``button`` of type submit) not disabled."""
    return [el for el in controls(form) if input_type(el) in ("submit", "image") and not is_disabled(el)]


def label_text(el) -> str:
    """The words describing a control: its label(s), ``aria-label``, ``placeholder``, ``title``;
    for buttons also their text, ``value`` and image ``alt``; whitespace collapsed."""
    parts = [el.get("aria-label"), el.get("placeholder"), el.get("title")]
    el_id = el.get("id")
    if el_id:
        parts += [_text(lab) for lab in el.getroottree().xpath("//label[@for=$i]", i=el_id)]
    parts += [_text(lab) for lab in el.iterancestors("label")]
    if el.tag.lower() == "button" or input_type(el) in BUTTON_TYPES:
        parts += [_text(el), el.get("value"), el.get("alt")] + [img.get("alt") for img in el.iter("img")]
    return " ".join(" ".join(p for p in parts if p).split())


def _text(el) -> str:
    return " ".join(" ".join(el.itertext()).split())


def describe(el) -> str:
    """Name, id, autocomplete and label words of a control (what hint patterns are matched against)."""
    return " ".join(filter(None, (el.get("name"), el.get("id"), el.get("autocomplete"), label_text(el))))


def select_values(el) -> list[str]:
    """What a ``select`` submits: its selected options, else (single-choice) its first option."""
    options = [o for o in el.iter("option") if not is_disabled(o)]
    chosen = [o for o in options if o.get("selected") is not None]
    if not chosen and options and el.get("multiple") is None:
        chosen = options[:1]
    return [o.get("value") if o.get("value") is not None else " ".join(_text(o).split()) for o in chosen]


def entry_list(form, submitter=None, values: dict | None = None) -> list[tuple[str, str]]:
    """The ``(name, value)`` pairs a browser submits for ``form`` when ``submitter`` is clicked.

    ``values`` maps control elements to the value typed into them (text) or,
    for checkboxes/radios, ``True``/``False`` for checked; for a ``select``,
    the option value to choose. ``submitter=None``: submitted without a button.
    """
    values = values or {}
    out: list[tuple[str, str]] = []
    for el in controls(form):
        name = el.get("name")
        kind = input_type(el)
        if not name or is_disabled(el):
            continue
        if kind in BUTTON_TYPES:
            if el is submitter and kind == "image":
                out += [(f"{name}.x", "0"), (f"{name}.y", "0")]
            elif el is submitter and kind == "submit":
                out.append((name, el.get("value") or ""))
            continue
        if kind in ("checkbox", "radio"):
            checked = values.get(el, el.get("checked") is not None)
            if checked:
                out.append((name, el.get("value") if el.get("value") is not None else "on"))
        elif kind == "select":
            if el in values:
                out.append((name, values[el]))
            else:
                out += [(name, v) for v in select_values(el)]
        elif kind == "textarea":
            out.append((name, values.get(el, el.text or "")))
        elif kind == "file":
            continue
        else:
            out.append((name, values.get(el, el.get("value") or "")))
    return out


class Target(NamedTuple):
    """Where a form submission goes: absolute ``url``, ``method`` (``GET``/``POST``), ``multipart``."""

    url: str
    method: str
    multipart: bool = False

    @property
    def javascript(self) -> bool:
        """The action is a ``javascript:`` URL: only a script can submit the form."""
        return self.url.strip().lower().startswith("javascript:")


def absolute(page_url: str, reference: str) -> str:
    """``reference`` (a link, form action or refresh target on the page at ``page_url``) as an absolute URL.

    Raises :class:`~samlcreds.errors.LoginFlowError` for one that does not parse (``http://[::1/x``:
    urllib raises ``ValueError``), which only a broken page holds.
    """
    try:
        return urllib.parse.urljoin(page_url, reference)
    except ValueError:
        raise unparsable_address() from None


def unparsable_address() -> errors.LoginFlowError:
    """The error for an address on the IdP's pages (a link, an action, a redirect) that does not parse."""
    return errors.LoginFlowError("the IdP's page leads to an address that does not parse",
                                 hint="The IdP's page is broken: use --provider browser (a real browser runs "
                                 "the IdP's scripts).")


def form_target(form, page_url: str, submitter=None) -> Target:
    """The absolute action URL and method of ``form`` (``formaction``/``formmethod`` of the submitter win)."""
    action = form.get("action")
    method = form.get("method")
    enctype = form.get("enctype")
    if submitter is not None:
        action = submitter.get("formaction") if submitter.get("formaction") is not None else action
        method = submitter.get("formmethod") or method
        enctype = submitter.get("formenctype") or enctype
    action = (action or "").strip()
    if action.lower().startswith("javascript:"):
        return Target(action, "GET")
    url = absolute(page_url, action) if action else page_url
    url = urllib.parse.urldefrag(url)[0]
    is_post = (method or "").strip().lower() == "post"
    return Target(url, "POST" if is_post else "GET",
                  is_post and (enctype or "").strip().lower() == "multipart/form-data")


def meta_refresh(doc, page_url: str) -> str | None:
    """The URL of a ``<meta http-equiv="refresh" content="N; url=...">`` with N ≤ 10 s, else ``None``.

    A refresh without a URL (a reload of the same page) is ``None``.
    """
    for meta in doc.iter("meta"):
        if (meta.get("http-equiv") or "").strip().lower() != "refresh":
            continue
        match = _REFRESH.match(meta.get("content") or "")
        if not match or not match.group(3).strip():
            continue
        delay = float(match.group(1) or 0)
        if delay <= MAX_REFRESH_DELAY:
            return absolute(page_url, match.group(3).strip())
    return None


def script_redirect(doc, page_url: str) -> str | None:
    """The URL of a script that is one ``location`` assignment or ``location.replace/assign`` call."""
    for script in doc.iter("script"):
        if script.get("src") or (script.get("type") or "text/javascript").lower() not in (
                "text/javascript", "application/javascript", "module", ""):
            continue
        body = (script.text or "").strip()
        body = re.sub(r"^<!--|//\s*-->$|-->$", "", body).strip()
        match = _SCRIPT_REDIRECT.match(body)
        if match:
            raw = match.group("u1") if match.group("u1") is not None else match.group("u2")
            target = _unescape_js(raw)
            if target.strip().lower().startswith("javascript:"):
                continue
            return absolute(page_url, target)
    return None


def noscript_link(doc, page_url: str) -> str | None:
    """The one link a page without forms offers browsers without JavaScript (``<noscript><a href>``:
    "Please click here" on redirect pages), else ``None``."""
    if next(doc.iter("form"), None) is not None:
        return None
    links = {absolute(page_url, a.get("href").strip()) for a in doc.xpath("//noscript//a[@href]")
             if a.get("href").strip() and not a.get("href").strip().lower().startswith(("javascript:", "#"))}
    return links.pop() if len(links) == 1 else None


def _unescape_js(text: str) -> str:
    return re.sub(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)",
                  lambda m: chr(int(m.group(1)[1:], 16)) if m.group(1)[0] in "xu" and len(m.group(1)) > 1
                  else m.group(1), text)


def signature(url: str, form, pairs: Iterable[tuple[str, str]] | None = None) -> tuple:
    """What makes two pages "the same page": the URL and the form's action, method and fields."""
    if form is None:
        return (url, None)
    target = form_target(form, url)
    fields = tuple(pairs if pairs is not None else entry_list(form))
    return (url, target.url, target.method, fields)
