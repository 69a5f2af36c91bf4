"""Concept maps drawn at build time as inline SVG: a pure-Python layout, every node a link.

A concept's own map (`neighbourhood_map`) lays its connections out in columns — what points at
the concept on the left, what it points at on the right and, for a dilemma or a form of
ambidexterity, what bears on its poles further left — so it needs no script at all. The full
map (`full_map`) places every concept with a force-directed layout; a small script on that
page alone adds pan, zoom, filters and a search box. Colours come from CSS classes (`t-<type>`,
`r-<relation>`), so each colour scheme chooses its own, and every map comes with the same
connections as a list of sentences for readers who cannot see it.
"""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from ambidex.model import TENSION_TYPES, ConceptType, KnowledgeBase, RelationType
from ambidex.render import title_in_text

FONT = 13  # px, the label size at scale 1
LINE = 16  # px between label lines
CHAR = 7.1  # px, a generous average width of a character at FONT
PAD_X, PAD_Y = 10, 8
WRAP = 20  # characters per label line
COLUMN_GAP = 110  # room between columns for the relation labels
ROW_GAP = 12
MARGIN = 12

# How an edge reads in a sentence ("Autonomy is a pole of Autonomy vs. control") and on the map.
RELATION_PHRASES: dict[str, tuple[str, str]] = {
    "pole-of": ("is a pole of", "pole of"),
    "opposes": ("opposes", "opposes"),
    "risk-of": ("is a risk of", "risk of"),
    "drives": ("drives", "drives"),
    "moderates": ("moderates", "moderates"),
    "leads-to": ("leads to", "leads to"),
    "mitigates": ("mitigates", "mitigates"),
    "addresses": ("addresses", "addresses"),
    "example-of": ("is an example of", "example of"),
    "part-of": ("is part of", "part of"),
    "associated-with": ("is associated with", "associated with"),
    "related": ("is related to", "related to"),
}

# Second-hop relations drawn on the map of a dilemma or form: what bears on its poles.
POLE_NEIGHBOURS = frozenset({"risk-of", "mitigates", "addresses", "opposes"})

Href = Callable[[str], str]


def phrase(relation: RelationType | str, short: bool = False) -> str:
    value = relation.value if isinstance(relation, RelationType) else relation
    words = RELATION_PHRASES.get(value, (value.replace("-", " "), value.replace("-", " ")))
    return words[1] if short else words[0]


@dataclass(frozen=True)
class Box:
    id: str
    title: str
    type: str
    lines: tuple[str, ...]
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass(frozen=True)
class MapEdge:
    source: str
    relation: str
    target: str


def label_lines(title: str) -> tuple[str, ...]:
    return tuple(textwrap.wrap(title, WRAP, break_long_words=False, break_on_hyphens=False)) or (title,)


def box_size(lines: Sequence[str]) -> tuple[float, float]:
    return max(len(line) for line in lines) * CHAR + 2 * PAD_X, len(lines) * LINE + 2 * PAD_Y


# ---------------------------------------------------------------- a concept's neighbourhood


def neighbourhood(kb: KnowledgeBase, concept_id: str) -> tuple[dict[str, int], list[MapEdge]]:
    """The concepts around one concept, each with its column, and the edges between them.

    Column 1 holds what points at the concept, column 3 what it points at (unless already in
    column 1), column 0 what bears on the poles of a dilemma or form of ambidexterity.
    """
    concept = kb.concepts[concept_id]
    columns: dict[str, int] = {concept_id: 2}
    edges: list[MapEdge] = []
    for edge in kb.backlinks(concept_id):
        if edge.source != concept_id:
            columns.setdefault(edge.source, 1)
            edges.append(MapEdge(edge.source, edge.type.value, concept_id))
    for rel in concept.relations:
        if rel.target in kb.concepts and rel.target != concept_id:
            columns.setdefault(rel.target, 3)
            edges.append(MapEdge(concept_id, rel.type.value, rel.target))
    if concept.type in TENSION_TYPES:
        poles = [e.source for e in kb.backlinks(concept_id) if e.type is RelationType.POLE_OF]
        for pole in poles:
            for edge in kb.backlinks(pole):
                placed_elsewhere = columns.get(edge.source, 0) != 0 or edge.source == concept_id
                if edge.type.value in POLE_NEIGHBOURS and not placed_elsewhere:
                    columns.setdefault(edge.source, 0)
                    edges.append(MapEdge(edge.source, edge.type.value, pole))
    return columns, list(dict.fromkeys(edges))


def _relation_rank(relation: str) -> int:
    order = [r.value for r in RelationType]
    return order.index(relation) if relation in order else len(order)


def layered_layout(kb: KnowledgeBase, columns: dict[str, int], edges: list[MapEdge]) -> list[Box]:
    """Columns left to right, each sorted so that edges cross little, centred vertically."""
    centre = next(cid for cid, col in columns.items() if col == 2)

    def first_relation(cid: str) -> int:
        ranks = [_relation_rank(e.relation) for e in edges if cid in (e.source, e.target)]
        return min(ranks, default=99)

    order: dict[int, list[str]] = {c: [] for c in range(4)}
    for cid, col in columns.items():
        order[col].append(cid)
    for col in (1, 3):
        order[col].sort(key=lambda i: (first_relation(i), kb.concepts[i].title.casefold()))
    position = {cid: i for i, cid in enumerate(order[1])}
    parents = {e.source: position.get(e.target, 0) for e in edges if columns.get(e.source) == 0}
    order[0].sort(key=lambda i: (parents.get(i, 0), kb.concepts[i].title.casefold()))
    sizes = {cid: box_size(label_lines(kb.concepts[cid].title)) for cid in columns}
    heights = {c: sum(sizes[i][1] for i in ids) + ROW_GAP * max(0, len(ids) - 1) for c, ids in order.items()}
    total = max(heights.values())
    boxes: list[Box] = []
    x: float = MARGIN
    for col in range(4):
        ids = order[col]
        if not ids:
            continue
        width = max(sizes[i][0] for i in ids)
        y: float = MARGIN + (total - heights[col]) / 2
        for cid in ids:
            w, h = sizes[cid]
            c = kb.concepts[cid]
            boxes.append(Box(cid, c.title, c.type.value, label_lines(c.title), x + (width - w) / 2, y, w, h))
            y += h + ROW_GAP
        x += width + COLUMN_GAP
    assert any(b.id == centre for b in boxes)
    return boxes


def neighbourhood_map(kb: KnowledgeBase, concept_id: str, href: Href) -> str:
    """The map of one concept's connections as inline SVG, with the same edges as sentences."""
    columns, edges = neighbourhood(kb, concept_id)
    if not edges:
        return ""
    boxes = layered_layout(kb, columns, edges)
    title = kb.concepts[concept_id].title
    return _figure(
        kb,
        boxes,
        edges,
        href,
        current=concept_id,
        name=f"Map of {title} and its connections",
        list_id=f"map-list-{concept_id}",
        labels=True,
    )


# ---------------------------------------------------------------- the full map


def force_layout(
    ids: Sequence[str], edges: Iterable[tuple[int, int]], sizes: np.ndarray, iterations: int = 400
) -> np.ndarray:
    """Fruchterman–Reingold with a fixed start (a sunflower spiral), then boxes pushed apart
    until no two labels overlap. Deterministic: the same graph gives the same picture."""
    n = len(ids)
    if n == 0:
        return np.zeros((0, 2))
    index = np.arange(n)
    radius = np.sqrt(index + 0.5) * 60.0
    angle = index * math.pi * (3 - math.sqrt(5))
    pos = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    pairs = np.array(list(edges), dtype=int).reshape(-1, 2)
    k = 120.0  # ideal distance between connected concepts
    temperature = 3 * k
    # Pulls the whole toward the middle just enough that boxes cover about a third of it.
    gravity = k * k / (0.64 * float((sizes[:, 0] * sizes[:, 1]).mean()))
    for step in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.sqrt((delta**2).sum(axis=2)) + 1e-3
        force = (delta * (k * k / dist**2)[:, :, None]).sum(axis=1)
        if len(pairs):
            d = pos[pairs[:, 0]] - pos[pairs[:, 1]]
            length = np.sqrt((d**2).sum(axis=1))[:, None] + 1e-3
            pull = d * length / k
            np.add.at(force, pairs[:, 0], -pull)
            np.add.at(force, pairs[:, 1], pull)
        force -= pos * gravity
        size = np.sqrt((force**2).sum(axis=1))[:, None] + 1e-9
        limit = temperature * (1 - step / iterations) + 1.0
        pos += force / size * np.minimum(size, limit)
    pos[:, 0] *= 1.5  # labels are wide: give them room sideways
    return _separate(pos, sizes)


def _separate(pos: np.ndarray, sizes: np.ndarray, gap: float = 14.0, rounds: int = 300) -> np.ndarray:
    """Push overlapping boxes apart along the axis where they overlap least."""
    half = sizes / 2 + gap / 2
    for _ in range(rounds):
        dx = pos[:, None, 0] - pos[None, :, 0]
        dy = pos[:, None, 1] - pos[None, :, 1]
        ox = half[:, None, 0] + half[None, :, 0] - np.abs(dx)
        oy = half[:, None, 1] + half[None, :, 1] - np.abs(dy)
        overlap = (ox > 0) & (oy > 0)
        np.fill_diagonal(overlap, False)
        if not overlap.any():
            break
        along_x = overlap & (ox / half[:, None, 0] < oy / half[:, None, 1])
        along_y = overlap & ~along_x
        sign_x = np.where(dx >= 0, 1.0, -1.0)
        sign_y = np.where(dy >= 0, 1.0, -1.0)
        move = np.zeros_like(pos)
        move[:, 0] = (np.where(along_x, ox, 0) * sign_x).sum(axis=1) / 2
        move[:, 1] = (np.where(along_y, oy, 0) * sign_y).sum(axis=1) / 2
        pos = pos + move * 0.6
    return pos


def full_layout(kb: KnowledgeBase, ids: Sequence[str], edges: Sequence[MapEdge]) -> list[Box]:
    where = {cid: i for i, cid in enumerate(ids)}
    lines = [label_lines(kb.concepts[cid].title) for cid in ids]
    sizes = np.array([box_size(ls) for ls in lines]) if ids else np.zeros((0, 2))
    pairs = [(where[e.source], where[e.target]) for e in edges]
    pos = force_layout(ids, pairs, sizes)
    if len(ids):
        pos -= (pos - sizes / 2).min(axis=0) - MARGIN
    return [
        Box(
            cid,
            kb.concepts[cid].title,
            kb.concepts[cid].type.value,
            lines[i],
            float(pos[i, 0] - sizes[i, 0] / 2),
            float(pos[i, 1] - sizes[i, 1] / 2),
            float(sizes[i, 0]),
            float(sizes[i, 1]),
        )
        for i, cid in enumerate(ids)
    ]


def full_map(kb: KnowledgeBase, ids: Sequence[str], href: Href) -> tuple[str, int]:
    """Every concept of `ids` and the relations among them; returns the figure and edge count."""
    kept = set(ids)
    edges = [
        MapEdge(e.source, e.type.value, e.target) for e in kb.edges() if e.source in kept and e.target in kept
    ]
    edges = list(dict.fromkeys(edges))
    boxes = full_layout(kb, ids, edges)
    figure = _figure(
        kb,
        boxes,
        edges,
        href,
        current=None,
        name="Map of every concept and its relations",
        list_id="map-list",
        labels=False,
    )
    return figure, len(edges)


# ---------------------------------------------------------------- drawing


def _anchor(box: Box, toward: tuple[float, float]) -> tuple[float, float]:
    """Where the line from a box's centre toward a point leaves the box."""
    dx, dy = toward[0] - box.cx, toward[1] - box.cy
    if dx == 0 and dy == 0:
        return box.cx, box.cy
    scale = min(
        (box.w / 2) / abs(dx) if dx else math.inf,
        (box.h / 2) / abs(dy) if dy else math.inf,
    )
    return box.cx + dx * scale, box.cy + dy * scale


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _node(box: Box, href: Href, current: str | None) -> str:
    esc = html.escape
    rect = f'<rect x="{_num(box.x)}" y="{_num(box.y)}" width="{_num(box.w)}" height="{_num(box.h)}" rx="6"/>'
    first = box.y + PAD_Y + FONT - 1
    spans = "".join(
        f'<tspan x="{_num(box.cx)}" y="{_num(first + i * LINE)}">{esc(line)}</tspan>'
        for i, line in enumerate(box.lines)
    )
    text = f'<text text-anchor="middle">{spans}</text>'
    classes = f"node t-{box.type}"
    data = f'data-id="{esc(box.id)}" data-type="{box.type}"'
    if box.id == current:
        return f'<g class="{classes} current" {data} aria-current="page">{rect}{text}</g>'
    # xlink:href, not href: the theme rewrites every [href] as an HTML link, which an SVG link is not.
    return f'<a class="{classes}" {data} xlink:href="{esc(href(box.id))}">{rect}{text}</a>'


def _edge(source: Box, target: Box, relation: str, labelled: bool, sentence: str, at_target: bool) -> str:
    """One edge: a curve from side to side between columns, else a straight line between box
    edges; on a labelled map its relation is written beside the source (or the target)."""
    esc = html.escape
    layered = labelled and (source.x + source.w < target.x or target.x + target.w < source.x)
    forward = source.x < target.x
    if layered:
        x1 = source.x + source.w if forward else source.x
        x2 = target.x if forward else target.x + target.w
        y1, y2 = source.cy, target.cy
        bend = (x2 - x1) / 2
        path = (
            f"M{_num(x1)} {_num(y1)} C{_num(x1 + bend)} {_num(y1)} "
            f"{_num(x2 - bend)} {_num(y2)} {_num(x2)} {_num(y2)}"
        )
    else:
        x1, y1 = _anchor(source, (target.cx, target.cy))
        x2, y2 = _anchor(target, (source.cx, source.cy))
        path = f"M{_num(x1)} {_num(y1)} L{_num(x2)} {_num(y2)}"
    data = f'data-from="{esc(source.id)}" data-to="{esc(target.id)}" data-relation="{relation}"'
    out = [f'<g class="edge r-{relation}" {data}><title>{esc(sentence)}</title>']
    out.append(f'<path d="{path}" marker-end="url(#arrow)"/>')
    if labelled:
        if not layered:
            lx, ly, anchor = (x1 + x2) / 2, (y1 + y2) / 2 - 4, "middle"
        elif at_target:
            lx, ly, anchor = (x2 - 8, y2 - 6, "end") if forward else (x2 + 8, y2 - 6, "start")
        else:
            lx, ly, anchor = (x1 + 6, y1 - 6, "start") if forward else (x1 - 6, y1 - 6, "end")
        out.append(
            f'<text class="edge-label" x="{_num(lx)}" y="{_num(ly)}" text-anchor="{anchor}">'
            f"{esc(phrase(relation, short=True))}</text>"
        )
    out.append("</g>")
    return "".join(out)


def _figure(
    kb: KnowledgeBase,
    boxes: list[Box],
    edges: Sequence[MapEdge],
    href: Href,
    current: str | None,
    name: str,
    list_id: str,
    labels: bool,
) -> str:
    esc = html.escape
    by_id = {b.id: b for b in boxes}
    width = max((b.x + b.w for b in boxes), default=0) + MARGIN
    height = max((b.y + b.h for b in boxes), default=0) + MARGIN
    titles = {cid: kb.concepts[cid].title for cid in by_id}
    sentences = [
        f"{titles[e.source]} {phrase(e.relation)} {title_in_text(titles[e.target], 'a ')}" for e in edges
    ]
    # Edges out of the concept the map is about are labelled beside their target, the rest
    # beside their source, so that no two labels share a place.
    drawn_edges = [
        _edge(by_id[e.source], by_id[e.target], e.relation, labels, sentence, at_target=e.source == current)
        for e, sentence in zip(edges, sentences, strict=True)
    ]
    svg = (
        f'<svg class="ambidex-map-svg" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" width="{_num(width)}" height="{_num(height)}" '
        f'role="group" aria-label="{esc(name)}" aria-describedby="{list_id}" '
        f'style="--map-width: {_num(width)}px">'
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z"/></marker></defs>'
        f'<g class="edges">{"".join(drawn_edges)}</g>'
        f'<g class="nodes">{"".join(_node(b, href, current) for b in boxes)}</g>'
        "</svg>"
    )
    items = "".join(
        f"<li>{_sentence_html(kb, e, href, current)}</li>"
        for e in sorted(edges, key=lambda e: kb.concepts[e.source].title.casefold())
    )
    count = f"{len(edges)} connection{'' if len(edges) == 1 else 's'}"
    listing = (
        f'<details class="ambidex-map-list" id="{list_id}-words">'
        f'<summary>The map in words ({count})</summary><ul id="{list_id}">{items}</ul></details>'
    )
    if current is None:
        # A keyboard user can pass the map's many links, to the same graph as a list.
        skip = (
            f'<a class="ambidex-map-skip" href="#{list_id}-words">Skip the map\'s {len(boxes)} concepts: '
            "read its connections as a list</a>"
        )
        return f'{skip}<div class="ambidex-map" data-map="full">{svg}</div>{listing}'
    # A map wider than a phone scrolls sideways: its frame takes focus (so it scrolls from the
    # keyboard), is named, and says that it scrolls.
    frame = (
        '<div class="ambidex-map" data-map="concept" tabindex="0" role="region" '
        f'aria-label="{esc(name)} (scrolls sideways on a narrow screen)">{svg}</div>'
        '<p class="ambidex-map-hint" aria-hidden="true">Scroll the map sideways to see all of it →</p>'
    )
    return frame + listing


def _sentence_html(kb: KnowledgeBase, edge: MapEdge, href: Href, current: str | None) -> str:
    def name(cid: str, mid_sentence: bool) -> str:
        title = kb.concepts[cid].title
        title = html.escape(title_in_text(title, "a ") if mid_sentence else title)
        return title if cid == current else f'<a href="{html.escape(href(cid))}">{title}</a>'

    return f"{name(edge.source, False)} {phrase(edge.relation)} {name(edge.target, True)}"


def type_legend(types: Iterable[ConceptType], interactive: bool = False) -> str:
    """The colours of the kinds of concept, as swatches with their names (checkboxes on /map/)."""
    items = []
    for t in types:
        swatch = f'<span class="ambidex-swatch t-{t.value}" aria-hidden="true"></span>'
        if interactive:
            items.append(
                f'<li><label><input type="checkbox" name="type" value="{t.value}" checked> '
                f"{swatch} {html.escape(t.label)}</label></li>"
            )
        else:
            items.append(f"<li>{swatch} {html.escape(t.label)}</li>")
    return f'<ul class="ambidex-legend">{"".join(items)}</ul>'


def _checked(on: bool) -> str:
    return " checked" if on else ""


def map_controls(
    types: Iterable[ConceptType], relations: Iterable[str], titles: Iterable[tuple[str, str]]
) -> str:
    """The full map's search box, zoom buttons and filters; the filters are its legend too."""
    options = "".join(
        f'<option value="{html.escape(title)}" data-id="{html.escape(cid)}"></option>'
        for cid, title in sorted(titles, key=lambda t: t[1].casefold())
    )
    # "related" is the weakest and commonest relation: hidden until the reader asks for it.
    lines = "".join(
        f'<li><label><input type="checkbox" name="relation" value="{r}"{_checked(r != "related")}> '
        f'<svg class="ambidex-line r-{r}" width="30" height="10" aria-hidden="true">'
        f'<line x1="1" y1="5" x2="29" y2="5"/></svg> {html.escape(phrase(r, short=True))}</label></li>'
        for r in relations
    )
    return (
        '<div class="ambidex-map-controls">'
        '<div class="ambidex-map-find">'
        '<label for="ambidex-map-find">Find a concept</label> '
        '<input id="ambidex-map-find" type="search" list="ambidex-map-titles" autocomplete="off" '
        'placeholder="Type a title, then Enter">'
        f'<datalist id="ambidex-map-titles">{options}</datalist> '
        '<span class="ambidex-map-zoom">'
        '<button type="button" class="md-button" data-zoom="in" aria-label="Zoom in">+</button>'
        '<button type="button" class="md-button" data-zoom="out" aria-label="Zoom out">−</button>'
        '<button type="button" class="md-button" data-zoom="fit">Show all</button>'
        "</span></div>"
        '<fieldset class="ambidex-map-kinds"><legend>Kinds of concept (colour and outline)</legend>'
        f"{type_legend(types, interactive=True)}</fieldset>"
        '<details class="ambidex-map-relations"><summary>Relations (lines): show or hide</summary>'
        f'<ul class="ambidex-legend">{lines}</ul></details>'
        '<p class="ambidex-map-status" role="status" aria-live="polite"></p>'
        "</div>"
    )
