"""Content is data, never code: what editors' text may hold, and the sanitiser that enforces it.

Markdown from `kb/` may carry a small allowlist of HTML (`ALLOWED_TAGS`, `ALLOWED_ATTRIBUTES`)
and links to `http`, `https` and `mailto` or inside the site; nothing may include a file. The
loader reports what breaks these rules (`unsafe_markup`: `disallowed-html`, `malformed-url`,
`file-include`), and every page and API field that turns text into HTML passes through
`sanitise`, so content that slipped past `check` still cannot run. Every scan here is one pass
of regular expressions without nested repetition: linear in the text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from urllib.parse import urlsplit

import nh3

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "h1",
        "h2", "h3", "h4", "h5", "h6", "hr", "i", "li", "mark", "ol", "p", "pre", "small", "span",
        "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: Mapping[str, frozenset[str]] = MappingProxyType(
    {"a": frozenset({"href", "title"}), "abbr": frozenset({"title"})}
)
URL_SCHEMES = frozenset({"http", "https", "mailto"})

# Crossref's recommended DOI characters: no quotes, angle brackets, spaces or braces, which could
# close an attribute or a Markdown link around it.
DOI_PATTERN = re.compile(r"^10\.\d{4,9}/[-._;()/:A-Za-z0-9]+$")


@dataclass(frozen=True)
class Finding:
    """One rule broken at `offset` of a text."""

    offset: int
    code: str
    message: str
    hint: str


def sanitise(markup: str, tags: frozenset[str] = ALLOWED_TAGS) -> str:
    """HTML with only allowed tags and attributes, and links only to allowed schemes."""
    return nh3.clean(
        markup,
        tags=set(tags),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
    )


def url_scheme(url: str) -> str | None:
    """The scheme of a URL as a browser reads it (entities decoded, controls and spaces
    dropped), or None for a relative URL."""
    cleaned = re.sub(r"[\x00-\x20\x7f]+", "", html.unescape(url))
    m = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", cleaned)
    return m.group(1).lower() if m else None


def web_url_problem(url: str) -> str | None:
    """Why `url` is not a plain absolute http(s) address, or None when it is one."""
    if not url:
        return "it is empty"
    if re.search(r"[\s\"'<>\\{}|^`\x00-\x1f\x7f]", url):
        return "it contains spaces, quotes, angle brackets or other characters a URL may not hold"
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return "it is not an absolute http or https address"
    return None


_INCLUDE = re.compile(r"(?m)^[ \t]*;*-+8<-+")
_CODE = re.compile(r"(?ms)^(?P<fence>```|~~~).*?^(?P=fence)[^\n]*$|`[^`\n]+`")
_TAG = re.compile(r"<(?P<close>/?)(?P<name>[A-Za-z][A-Za-z0-9-]*)(?=[\s/>])(?P<attrs>[^<>]*)>?")
_OTHER_MARKUP = re.compile(r"<[!?]")
_ATTRIBUTE = re.compile(r"""(?P<name>[^\s"'>/=]+)(?:\s*=\s*(?P<value>"[^"]*"|'[^']*'|[^\s"'>]+))?""")
_LINK = re.compile(r"\]\(\s*<?(?P<url>[^\s)>]*)")
_DEFINITION = re.compile(r"(?m)^[ ]{0,3}\[[^\]\n]+\]:[ \t]*<?(?P<url>[^\s>]*)")
_AUTOLINK = re.compile(r"<(?P<url>[A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*)>")
_ATTR_LIST = re.compile(r"\{:?[^{}\n]*?\b(?P<name>on[a-z]+|style|href|src)\s*=", re.I)


def _visible(text: str) -> str:
    """`text` with code spans, fenced code and HTML comments blanked out (offsets kept)."""
    if "`" in text or "~~~" in text:
        text = _CODE.sub(lambda m: " " * len(m.group(0)), text)
    return _without_comments(text) if "<!--" in text else text


def _without_comments(text: str) -> str:
    """HTML comments blanked out; an unclosed one runs to the end (found in one pass)."""
    out, last = [], 0
    while (start := text.find("<!--", last)) >= 0:
        end = text.find("-->", start + 4)
        end = len(text) if end < 0 else end + 3
        out += [text[last:start], " " * (end - start)]
        last = end
    out.append(text[last:])
    return "".join(out)


def file_includes(text: str) -> Iterator[Finding]:
    """`--8<--` lines, which ask a Markdown extension to copy a file into the page."""
    for m in _INCLUDE.finditer(text):
        yield Finding(
            m.end() - len(m.group(0).lstrip(" \t;")),
            "file-include",
            "'--8<--' includes a file into the page; content may not include files",
            "write the text itself here, or link to it",
        )


def html_findings(text: str) -> Iterator[Finding]:
    """HTML tags, attributes and link targets outside the allowlist."""
    visible = _visible(text)
    if "<" in visible:
        yield from _tags(visible)
    for pattern in (_LINK, _DEFINITION, _AUTOLINK):
        for m in pattern.finditer(visible):
            scheme = url_scheme(m["url"])
            if scheme is not None and scheme not in URL_SCHEMES:
                yield Finding(
                    m.start("url"),
                    "malformed-url",
                    f"the link '{m['url'][:80]}' uses '{scheme}:', which is not allowed",
                    "link to an http, https or mailto address, or to a page of the site",
                )
    for m in _ATTR_LIST.finditer(visible):
        yield Finding(
            m.start("name"),
            "disallowed-html",
            f"the attribute '{m['name']}' may not be set on the page",
            "remove the {: ... } attribute list",
        )


def _tags(visible: str) -> Iterator[Finding]:
    hint = "allowed tags: " + ", ".join(sorted(ALLOWED_TAGS)) + "; or write it in Markdown"
    for m in _OTHER_MARKUP.finditer(visible):
        yield Finding(m.start(), "disallowed-html", "markup declarations are not allowed", "remove it")
    for m in _TAG.finditer(visible):
        name = m["name"].lower()
        if name not in ALLOWED_TAGS:
            if not m["close"] and _AUTOLINK.match(visible, m.start()) is None:
                yield Finding(m.start(), "disallowed-html", f"the HTML tag <{name}> is not allowed", hint)
            continue
        allowed = ALLOWED_ATTRIBUTES.get(name, frozenset())
        for attr in _ATTRIBUTE.finditer(m["attrs"]):
            attr_name = attr["name"].lower()
            offset = m.start("attrs") + attr.start()
            if attr_name not in allowed:
                yield Finding(
                    offset,
                    "disallowed-html",
                    f"the attribute '{attr_name}' is not allowed on <{name}>",
                    "allowed: " + (", ".join(sorted(allowed)) or "none"),
                )
            elif attr_name == "href":
                value = (attr["value"] or "").strip("\"'")
                scheme = url_scheme(value)
                if scheme is not None and scheme not in URL_SCHEMES:
                    yield Finding(
                        offset,
                        "malformed-url",
                        f"the link '{value[:80]}' uses '{scheme}:', which is not allowed",
                        "link to an http, https or mailto address, or to a page of the site",
                    )


def unsafe_markup(text: str) -> Iterator[Finding]:
    """Everything in Markdown text that would include a file, run script or leave the allowlist."""
    if "8<" in text:
        yield from file_includes(text)
    if "<" in text or "](" in text or "]:" in text or "{" in text:
        yield from html_findings(text)


def tags_in_plain_text(text: str) -> Iterator[Finding]:
    """HTML tags in a field that is plain text (a title, an alias): shown as typed, never run,
    but almost surely a mistake."""
    for m in _TAG.finditer(text):
        yield Finding(
            m.start(),
            "disallowed-html",
            f"the HTML tag <{m['name'].lower()}> in plain text",
            "titles and aliases are plain text; remove the tag",
        )
