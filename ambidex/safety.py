"""Content is data, never code: what editors' text may hold, and the sanitiser that enforces it.

Markdown from `kb/` may carry a small allowlist of HTML (`ALLOWED_TAGS`, `ALLOWED_ATTRIBUTES`)
and links to `http`, `https` and `mailto` or inside the site; nothing may include a file. The
loader reports what breaks these rules (`unsafe_markup`: `disallowed-html`, `malformed-url`,
`file-include`), and every page and API field that turns text into HTML passes through
`sanitise`, so content that slipped past `check` still cannot run. `check` finds what breaks
the rules by rendering the text as Markdown and asking what the sanitiser would remove, so that
it sees the text exactly as the published pages do (code, comments and fences included).
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from types import MappingProxyType
from urllib.parse import urlsplit

import markdown as markdown_lib
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
class Policy:
    """What a sanitised piece of HTML may keep: tags, attributes per tag, attributes allowed on
    every tag by prefix (`aria-`), whether comments stay, and the `rel` links get."""

    tags: frozenset[str] = ALLOWED_TAGS
    attributes: Mapping[str, frozenset[str]] = field(default_factory=lambda: ALLOWED_ATTRIBUTES)
    prefixes: frozenset[str] = frozenset()
    comments: bool = False
    link_rel: str | None = "noopener noreferrer"
    styles: frozenset[str] = frozenset()  # CSS properties a `style` attribute may keep


CONTENT = Policy()


@dataclass(frozen=True)
class Finding:
    """One rule broken at `offset` of a text."""

    offset: int
    code: str
    message: str
    hint: str


def sanitise(markup: str, policy: Policy = CONTENT) -> str:
    """HTML with only the tags and attributes `policy` allows, and links only to allowed schemes.
    Comments go, unless the policy keeps them (parsed as a browser parses them, so what is left
    is a comment to every reader)."""
    return nh3.clean(
        markup,
        tags=set(policy.tags),
        attributes={tag: set(names) for tag, names in policy.attributes.items()},
        generic_attribute_prefixes=set(policy.prefixes) or None,
        strip_comments=not policy.comments,
        url_schemes=set(URL_SCHEMES),
        link_rel=policy.link_rel,
        filter_style_properties=set(policy.styles) or None,
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
_TAG = re.compile(r"<(?P<close>/?)(?P<name>[A-Za-z][A-Za-z0-9-]*)(?=[\s/>])(?P<attrs>[^<>]*)>?")


def file_includes(text: str) -> Iterator[Finding]:
    """`--8<--` lines, which ask a Markdown extension to copy a file into the page."""
    for m in _INCLUDE.finditer(text):
        yield Finding(
            m.end() - len(m.group(0).lstrip(" \t;")),
            "file-include",
            "'--8<--' includes a file into the page; content may not include files",
            "write the text itself here, or link to it",
        )


# ------------------------------------------------------------------ Markdown as the readers get it

# The API renders with `API_EXTENSIONS`; the site with the Markdown extensions of `mkdocs.yml`,
# of which `SITE_EXTENSIONS` are those that change what HTML a text makes. `check` renders a text
# both ways, so what it reports is what either would publish.
API_EXTENSIONS = ("extra", "sane_lists")
SITE_EXTENSIONS = (
    "abbr",
    "admonition",
    "attr_list",
    "def_list",
    "footnotes",
    "md_in_html",
    "tables",
    "pymdownx.details",
    "pymdownx.superfences",
    "pymdownx.inlinehilite",
)
_converters = threading.local()


def markdown_html(text: str, extensions: tuple[str, ...] = API_EXTENSIONS) -> str:
    """Markdown -> HTML as the Markdown library makes it, not yet sanitised. Text nested too
    deeply for the library is shown as it is, escaped."""
    cache: dict[tuple[str, ...], markdown_lib.Markdown] = _converters.__dict__.setdefault("byext", {})
    converter = cache.get(extensions)
    if converter is None:  # one converter per thread: building one costs more than a page
        converter = cache[extensions] = markdown_lib.Markdown(extensions=list(extensions))
    try:
        return converter.convert(text)
    except RecursionError:
        return f"<pre>{html.escape(text)}</pre>"
    finally:
        converter.reset()


# Attributes Markdown itself writes (footnotes, tables, code blocks, `{: #id .class}`), which the
# sanitiser drops as a matter of course: not the editor's doing, so not reported.
_MARKDOWN_ATTRIBUTES = frozenset({"class", "id", "align"})
_ALIGN = re.compile(r"^text-align:\s*(?:left|right|center);?$")
_URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "cite", "poster", "data"})
_NAME = re.compile(r"<\s*/?\s*([^\s/>\x00]+)")
_SCHEME = re.compile(r"[A-Za-z0-9+.-]{1,32}(?=:)")


def _every_scheme(raw: str) -> set[str]:
    """Every name that could be a URL scheme anywhere in `raw` (a generous superset)."""
    flat = re.sub(r"[\x00-\x20\x7f]+", "", html.unescape(raw)).lower()
    found: set[str] = set()
    for m in _SCHEME.finditer(flat):
        word = m.group(0)
        found.update(word[i:] for i in range(len(word)) if word[i].isalpha())
    return found


class _Elements(HTMLParser):
    """Start tags and their attributes, from HTML that a sanitiser has already normalised."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def _as_parsed(raw: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """The elements of `raw` as a browser parses it (by the sanitiser's own HTML5 parser, which
    knows how comments, `<!-->` and `--!>` end), nothing removed but comments."""
    normal = nh3.clean(
        raw,
        tags={name.lower() for name in _NAME.findall(raw)},
        clean_content_tags=set(),
        attributes={},
        generic_attribute_prefixes={""},
        url_schemes=_every_scheme(raw),
        strip_comments=True,
        link_rel=None,
    )
    parser = _Elements()
    parser.feed(normal)
    parser.close()
    return parser.found


def removed(raw: str, policy: Policy = CONTENT) -> Iterator[tuple[str, str, str, tuple[str, ...]]]:
    """What `sanitise(raw, policy)` would remove from HTML that Markdown made, other than what
    Markdown itself writes: (code, message, hint, what to look for in the source)."""
    hint = "allowed tags: " + ", ".join(sorted(policy.tags)) + "; or write it in Markdown"
    for tag, attrs in _as_parsed(raw):
        if tag not in policy.tags:
            if tag == "img":
                source = next((v or "" for n, v in attrs if n == "src"), "")
                yield (
                    "disallowed-html",
                    f"the image '{source[:80]}' is not allowed: pages show no images from elsewhere",
                    "link to it instead",
                    ("<img", "![", source),
                )
            else:
                yield "disallowed-html", f"the HTML tag <{tag}> is not allowed", hint, (f"<{tag}",)
            continue
        allowed = policy.attributes.get(tag, frozenset())
        for name, value in attrs:
            if name in _URL_ATTRIBUTES and value is not None:
                scheme = url_scheme(value)
                if scheme is not None and scheme not in URL_SCHEMES:
                    yield (
                        "malformed-url",
                        f"the link '{value[:80]}' uses '{scheme}:', which is not allowed",
                        "link to an http, https or mailto address, or to a page of the site",
                        (value, html.escape(value), f"{scheme}:"),
                    )
                    continue
            if name in allowed or name in _MARKDOWN_ATTRIBUTES:
                continue
            if name == "style" and tag in ("td", "th") and _ALIGN.match(value or ""):
                continue
            yield (
                "disallowed-html",
                f"the attribute '{name}' is not allowed on <{tag}>",
                "allowed: " + (", ".join(sorted(allowed)) or "none"),
                (f"{name}=", name),
            )


def _place(text: str, needles: tuple[str, ...]) -> int:
    """Where in `text` a finding comes from: where the first of `needles` appears, else the
    first link or tag."""
    lowered = text.lower()
    for needle in needles:
        at = lowered.find(needle.lower()) if needle else -1
        if at >= 0:
            return at
    found = re.search(r"\]\(|\]:|<|\{", text)
    return found.start() if found else 0


def html_findings(text: str) -> Iterator[Finding]:
    """HTML tags, attributes and link targets outside the allowlist, found as readers get them:
    the text is rendered as the API and the site render it, and what the sanitiser would remove
    is reported at the place in the text it comes from."""
    seen: set[tuple[str, str]] = set()
    for extensions in (API_EXTENSIONS, SITE_EXTENSIONS):
        for code, message, hint, needles in removed(markdown_html(text, extensions)):
            if (code, message) not in seen:
                seen.add((code, message))
                yield Finding(_place(text, needles), code, message, hint)


# The Markdown library's inline parser follows each '[' and '<' up to the end of its paragraph,
# and recurses once per level of nested lists or quotes: bounded here, its work stays bounded.
MAX_OPENERS = 2_000  # '[' or '<' in one text
MAX_PARAGRAPH = 20_000  # characters between blank lines
MAX_INDENT = 160  # columns of indentation (about 40 levels of nested lists)
MAX_QUOTES = 32  # '>' opening one line


def complexity(text: str) -> Iterator[Finding]:
    """Text that would make Markdown rendering slow or recurse too deep."""
    for char in "[<":
        if text.count(char) > MAX_OPENERS:
            yield Finding(
                _nth(text, char, MAX_OPENERS + 1),
                "too-complex",
                f"the text has more than {MAX_OPENERS:,} '{char}'",
                "split it into several entries",
            )
    offset = 0
    for paragraph in re.split(r"(\n[ \t]*\n)", text):
        if len(paragraph) > MAX_PARAGRAPH:
            yield Finding(
                offset,
                "too-complex",
                f"a paragraph of {len(paragraph):,} characters (at most {MAX_PARAGRAPH:,})",
                "split it with blank lines",
            )
        offset += len(paragraph)
    deep = re.search(rf"(?m)^(?:[ \t]{{{MAX_INDENT + 1},}}|(?:[ \t]*>){{{MAX_QUOTES + 1},}})", text)
    if deep is not None:
        yield Finding(deep.start(), "too-deep", "lists or quotes nested too deeply", "flatten the nesting")


def _nth(text: str, char: str, n: int) -> int:
    position = -1
    for _ in range(n):
        position = text.find(char, position + 1)
    return max(position, 0)


def unsafe_markup(text: str) -> Iterator[Finding]:
    """Everything in Markdown text that would include a file, run script or leave the allowlist,
    or make rendering it slow."""
    too_complex = False
    if len(text) > MAX_PARAGRAPH or "[" in text or "<" in text or "\n " in text or ">" in text:
        for finding in complexity(text):
            too_complex = True
            yield finding
    if "8<" in text:
        yield from file_includes(text)
    # Without these, Markdown makes no tag, link or attribute; text too complex is not rendered.
    if not too_complex and ("<" in text or "](" in text or "]:" in text or "{" in text):
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
