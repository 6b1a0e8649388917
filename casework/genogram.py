"""The genogram: a family drawn from its relationships, as server-rendered SVG with a
text alternative.

Pure functions over plain dataclasses (no ORM, no clock): `casework.selectors.people`
turns a case's members and relationships into `GenoPerson` and `GenoLink` rows.

- `layout()` gives every person a generation (parents above their children, partners
  and siblings on one row) and a position (partners side by side, children centred
  under their parents). Unrelated people get a row of their own at the bottom. Bad
  data (someone who is their own grandparent) never loops: the passes are bounded.
- `render_svg()` draws it with genogram conventions: squares for males, circles for
  females, diamonds for another or unknown sex, a double outline for an alleged
  victim, a solid line between partners and a dashed one between former partners,
  one line from a couple down to their children. Presentation attributes only (the
  CSP forbids inline styles).
- `describe()` says the same in sentences, one per relationship.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

SYMBOL = 40  # width and height of a person's symbol
SLOT = 160  # distance between neighbours on a row
ROW = 150  # distance between generations
LEFT = 90  # x of the first slot
TOP = 40  # y of the first row's centres
LABEL_LINE = 15

INK = "#1b1b1b"
MUTED = "#565c65"

# `person` is <kind> of `relative`: how many generations the relative is below.
DESCENT = {"parent": 1, "grandparent": 2}
SAME_ROW = {"partner", "former_partner", "sibling"}
PARTNERS = {"partner", "former_partner"}
KINDS = {*DESCENT, *SAME_ROW, "relative"}

PHRASES = {
    "parent": "is the parent of",
    "partner": "is the partner of",
    "former_partner": "is a former partner of",
    "sibling": "is a sibling of",
    "grandparent": "is a grandparent of",
    "relative": "is a relative of",
}


@dataclass(frozen=True)
class GenoPerson:
    id: int
    name: str
    sex: str = "unknown"  # casework.models.Person.Sex values
    role: str = ""  # as shown, e.g. "Mother"
    alleged_victim: bool = False


@dataclass(frozen=True)
class GenoLink:
    """`person` is `kind` of `relative` (Relationship.Kind values)."""

    person: int
    relative: int
    kind: str
    note: str = ""


@dataclass
class Placed:
    person: GenoPerson
    generation: int
    x: float
    y: float


@dataclass
class Genogram:
    people: list[Placed]
    links: list[GenoLink]
    width: int
    height: int
    by_id: dict[int, Placed] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {placed.person.id: placed for placed in self.people}

    def related_ids(self) -> set[int]:
        return {i for link in self.links for i in (link.person, link.relative)}


# --- layout ------------------------------------------------------------------------------


class _Groups:
    """Union-find over person ids: the people who must share a row."""

    def __init__(self, ids: list[int]) -> None:
        self.parent = {i: i for i in ids}

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


def _clean_links(ids: dict[int, int], relationships: list[GenoLink]) -> list[GenoLink]:
    """Links between known people, without self-links, unknown kinds or repeats."""
    seen: set[tuple[int, int, str]] = set()
    links = []
    for link in relationships:
        key = (link.person, link.relative, link.kind)
        if (
            link.person in ids
            and link.relative in ids
            and link.person != link.relative
            and link.kind in KINDS
            and key not in seen
        ):
            seen.add(key)
            links.append(link)
    return links


def _generations(ids: list[int], links: list[GenoLink]) -> dict[int, int]:
    """A row number per person: ancestors above descendants, partners and siblings on
    one row, unrelated people on a last row of their own."""
    groups = _Groups(ids)
    for link in links:
        if link.kind in SAME_ROW:
            groups.union(link.person, link.relative)
    edges = [
        (groups.find(link.person), groups.find(link.relative), DESCENT[link.kind])
        for link in links
        if link.kind in DESCENT
    ]
    edges = [(a, b, d) for a, b, d in edges if a != b]  # e.g. partnered with own child
    roots = list(dict.fromkeys(groups.find(i) for i in ids))
    gen = dict.fromkeys(roots, 0)
    # Longest path from the top. Each round settles at least one more group; a cycle
    # (bad data) would grow forever, so the rounds are bounded.
    for _ in range(len(roots)):
        changed = False
        for a, b, d in edges:
            if gen[b] < gen[a] + d:
                gen[b], changed = gen[a] + d, True
        if not changed:
            break
    # Then bring ancestors down next to their nearest descendants (a mother whose only
    # other link is her own mother's grandparent link to the child sits one row up).
    for _ in range(len(roots)):
        changed = False
        for root in roots:
            below = [gen[b] - d for a, b, d in edges if a == root]
            if below and min(below) > gen[root]:
                gen[root], changed = min(below), True
        if not changed:
            break

    linked = {i for link in links for i in (link.person, link.relative)}
    constrained = {
        i for link in links if link.kind != "relative" for i in (link.person, link.relative)
    }
    rows = {i: gen[groups.find(i)] for i in ids}
    # "Other relative" says nothing about generations: beside the relative it names.
    for link in links:
        if link.kind == "relative":
            for mover, anchor in ((link.person, link.relative), (link.relative, link.person)):
                if mover not in constrained:
                    rows[mover] = rows[anchor]
                    constrained.add(mover)
    related_rows = sorted({rows[i] for i in ids if i in linked})
    rank = {row: n for n, row in enumerate(related_rows)}  # close gaps left by cycles
    last = len(related_rows)
    return {i: rank[rows[i]] if i in linked else last for i in ids}


def _chain(members: list[int], partners: dict[int, set[int]], order: dict[int, int]) -> list[int]:
    """A cluster of partners as a line (a mother between her partner and her former
    partner), walking from an end; any leftover (a triangle) follows in input order."""
    members = sorted(members, key=order.__getitem__)
    start = min(members, key=lambda i: (len(partners[i] & set(members)), order[i]))
    chain, seen, current = [start], {start}, start
    while True:
        nxt = sorted((partners[current] & set(members)) - seen, key=order.__getitem__)
        if not nxt:
            break
        current = nxt[0]
        chain.append(current)
        seen.add(current)
    return chain + [i for i in members if i not in seen]


def _split(block: list[int], clusters: list[list[int]]) -> list[list[int]]:
    """The clusters a block was made of, left to right."""
    members = set(block)
    return sorted((c for c in clusters if c[0] in members), key=lambda c: block.index(c[0]))


def _centre_over_children(
    x: dict[int, float],
    rows: dict[int, int],
    row_clusters: dict[int, list[list[int]]],
    links: list[GenoLink],
) -> None:
    """Children pushed right by the left margin or their neighbours leave their parents
    off-centre: from the bottom row up, move each cluster of parents right over its
    children, as far as its right-hand neighbour allows (never left, so nothing
    already placed overlaps)."""
    children: dict[int, list[int]] = defaultdict(list)
    for link in links:
        if link.kind == "parent" and rows[link.relative] > rows[link.person]:
            children[link.person].append(link.relative)
    for row in sorted(row_clusters, reverse=True):
        clusters = row_clusters[row]
        for n in range(len(clusters) - 1, -1, -1):
            cluster = clusters[n]
            kids = {k for i in cluster for k in children[i]}
            if not kids:
                continue
            middle = sum(x[k] for k in kids) / len(kids)
            shift = middle - (x[cluster[0]] + x[cluster[-1]]) / 2
            if n + 1 < len(clusters):
                shift = min(shift, x[clusters[n + 1][0]] - SLOT - x[cluster[-1]])
            if shift > 0:
                for i in cluster:
                    x[i] += shift


def layout(people: list[GenoPerson], relationships: list[GenoLink]) -> Genogram:
    people = list({p.id: p for p in people}.values())
    order = {p.id: n for n, p in enumerate(people)}
    links = _clean_links(order, relationships)
    ids = [p.id for p in people]
    if not ids:
        return Genogram(people=[], links=[], width=2 * LEFT, height=2 * TOP)
    rows = _generations(ids, links)

    parents: dict[int, list[int]] = defaultdict(list)  # child -> ancestors, nearest first
    grandparents: dict[int, list[int]] = defaultdict(list)
    partners: dict[int, set[int]] = defaultdict(set)
    siblings: dict[int, set[int]] = defaultdict(set)
    for link in links:
        if link.kind == "parent":
            parents[link.relative].append(link.person)
        elif link.kind == "grandparent":
            grandparents[link.relative].append(link.person)
        elif link.kind in PARTNERS:
            partners[link.person].add(link.relative)
            partners[link.relative].add(link.person)
        elif link.kind == "sibling":
            siblings[link.person].add(link.relative)
            siblings[link.relative].add(link.person)

    x: dict[int, float] = {}
    row_clusters: dict[int, list[list[int]]] = {}
    for row in sorted(set(rows.values())):
        members = sorted((i for i in ids if rows[i] == row), key=order.__getitem__)
        # Where each would like to be: under its parents (else grandparents, else its
        # siblings' parents) once the rows above are placed.
        wanted: dict[int, float | None] = {}
        for i in members:
            above = [x[a] for a in parents[i] if a in x] or [
                x[a] for a in grandparents[i] if a in x
            ]
            wanted[i] = sum(above) / len(above) if above else None
        for i in members:
            if wanted[i] is None:
                kin = [wanted[s] for s in siblings[i] if wanted.get(s) is not None]
                wanted[i] = sum(kin) / len(kin) if kin else None  # type: ignore[arg-type]
        # Partners stay together: place clusters, not people.
        in_row = set(members)
        clusters: list[list[int]] = []
        placed: set[int] = set()
        for i in members:
            if i in placed:
                continue
            cluster, todo = [], [i]
            while todo:
                j = todo.pop()
                if j in placed:
                    continue
                placed.add(j)
                cluster.append(j)
                todo.extend(partners[j] & in_row)
            clusters.append(_chain(cluster, partners, order))

        def centre(cluster: list[int], wanted=wanted) -> float | None:
            known = [wanted[i] for i in cluster if wanted[i] is not None]
            return sum(known) / len(known) if known else None  # type: ignore[arg-type]

        anchored = sorted(
            (c for c in clusters if centre(c) is not None),
            key=lambda c: (centre(c), order[c[0]]),
        )
        floating = [c for c in clusters if centre(c) is None]
        # Clusters that want the same centre (a couple's children) form one block,
        # centred under the couple.
        blocks: list[tuple[float | None, list[int]]] = []
        for cluster in anchored:
            middle = centre(cluster)
            if blocks and blocks[-1][0] == middle:
                blocks[-1][1].extend(cluster)
            else:
                blocks.append((middle, list(cluster)))
        blocks += [(None, cluster) for cluster in floating]
        cursor = LEFT - SLOT  # the x of the last slot used
        for middle, block in blocks:
            start = cursor + SLOT
            if middle is not None:
                start = max(start, middle - (len(block) - 1) * SLOT / 2)
            for n, i in enumerate(block):
                x[i] = start + n * SLOT
            cursor = x[block[-1]]
        row_clusters[row] = [cluster for _, block in blocks for cluster in _split(block, clusters)]

    _centre_over_children(x, rows, row_clusters, links)
    placed_people = [
        Placed(person=p, generation=rows[p.id], x=x[p.id], y=TOP + rows[p.id] * ROW) for p in people
    ]
    width = int(max(x.values()) + LEFT)
    height = int(TOP + max(rows.values()) * ROW + SYMBOL / 2 + 3 * LABEL_LINE + 10)
    return Genogram(people=placed_people, links=links, width=width, height=height)


# --- drawing -----------------------------------------------------------------------------


def _n(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def _line(x1: float, y1: float, x2: float, y2: float, dash: str = "", colour: str = INK) -> str:
    extra = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
        f'stroke="{colour}" stroke-width="2"{extra}/>'
    )


def _symbol(placed: Placed) -> str:
    cx, cy, half = placed.x, placed.y, SYMBOL / 2
    sex = placed.person.sex
    paint = f'fill="#ffffff" stroke="{INK}" stroke-width="2"'

    def shape(r: float, fill: bool = True) -> str:
        style = paint if fill else f'fill="none" stroke="{INK}" stroke-width="2"'
        if sex == "male":
            return (
                f'<rect x="{_n(cx - r)}" y="{_n(cy - r)}" width="{_n(2 * r)}" '
                f'height="{_n(2 * r)}" {style}/>'
            )
        if sex == "female":
            return f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(r)}" {style}/>'
        d = r * 1.2
        corners = [(cx, cy - d), (cx + d, cy), (cx, cy + d), (cx - d, cy)]
        points = " ".join(f"{_n(px)},{_n(py)}" for px, py in corners)
        return f'<polygon points="{points}" {style}/>'

    kind = {"male": "male", "female": "female"}.get(sex, "other")
    parts = [f'<g class="genogram-person genogram-{kind}" data-person="{placed.person.id}">']
    if placed.person.alleged_victim:  # the double outline
        parts.append(shape(half + 5, fill=False))
    parts.append(shape(half))
    label_y = cy + half + (12 if placed.person.alleged_victim else 6)
    parts.append(
        f'<text x="{_n(cx)}" y="{_n(label_y + LABEL_LINE - 3)}" text-anchor="middle" '
        f'font-weight="bold" fill="{INK}">{escape(placed.person.name)}</text>'
    )
    details = [placed.person.role] if placed.person.role else []
    if placed.person.alleged_victim:
        details.append("alleged victim")
    if details:
        parts.append(
            f'<text x="{_n(cx)}" y="{_n(label_y + 2 * LABEL_LINE - 3)}" text-anchor="middle" '
            f'fill="{MUTED}">{escape(", ".join(details))}</text>'
        )
    parts.append("</g>")
    return "".join(parts)


def _bottom(placed: Placed) -> float:
    """Just under a person's label, where a line down from them may start."""
    return placed.y + SYMBOL / 2 + 2 * LABEL_LINE + 16


def _top(placed: Placed) -> float:
    return placed.y - SYMBOL / 2 - (5 if placed.person.alleged_victim else 0)


def _connectors(g: Genogram) -> list[str]:
    out: list[str] = []
    at = g.by_id
    parents_of: dict[int, set[int]] = defaultdict(set)
    partner_pairs: set[frozenset[int]] = set()
    for link in g.links:
        if link.kind == "parent":
            parents_of[link.relative].add(link.person)
        elif link.kind in PARTNERS:
            partner_pairs.add(frozenset((link.person, link.relative)))

    # Partners: a line between their symbols, dashed once they have separated.
    for link in g.links:
        if link.kind not in PARTNERS:
            continue
        a, b = sorted((at[link.person], at[link.relative]), key=lambda p: (p.y, p.x))
        dash = "8 5" if link.kind == "former_partner" else ""
        if a.y == b.y:
            out.append(_line(a.x + SYMBOL / 2, a.y, b.x - SYMBOL / 2, b.y, dash))
        else:
            out.append(_line(a.x, _bottom(a), b.x, _top(b), dash))

    # Children hang from one line under the parents they share.
    families: dict[tuple[frozenset[int], float], list[Placed]] = defaultdict(list)
    for child, ps in parents_of.items():
        families[(frozenset(ps), at[child].y)].append(at[child])
    per_row: dict[float, int] = defaultdict(int)
    for (ps, child_y), children in families.items():
        # Half-siblings' lines sit a little higher than their siblings', so each
        # family's line stays its own.
        bar_y = child_y - SYMBOL / 2 - 20 - 12 * per_row[child_y]
        per_row[child_y] += 1
        xs = [c.x for c in children]
        couple = [at[p] for p in ps]
        if len(couple) == 2 and ps in partner_pairs and couple[0].y == couple[1].y:
            origin_x = (couple[0].x + couple[1].x) / 2
            out.append(_line(origin_x, couple[0].y, origin_x, bar_y))
            xs.append(origin_x)
        else:
            for parent in couple:
                out.append(_line(parent.x, _bottom(parent), parent.x, bar_y))
                xs.append(parent.x)
        out.append(_line(min(xs), bar_y, max(xs), bar_y))
        for child in children:
            out.append(_line(child.x, bar_y, child.x, _top(child)))

    # Siblings without the same recorded parents: a bracket above them.
    for link in g.links:
        if link.kind != "sibling":
            continue
        a, b = at[link.person], at[link.relative]
        shared = parents_of.get(a.person.id)
        if shared and shared == parents_of.get(b.person.id):
            continue
        if a.y == b.y:
            y = _top(a) - 14
            out += [
                _line(a.x, _top(a), a.x, y),
                _line(a.x, y, b.x, y),
                _line(b.x, y, b.x, _top(b)),
            ]
        else:
            upper, lower = sorted((a, b), key=lambda p: p.y)
            out.append(_line(upper.x, _bottom(upper), lower.x, _top(lower)))

    # Grandparents not already joined through a parent, and other relatives: dotted.
    for link in g.links:
        if link.kind == "grandparent":
            via = {
                m
                for m, ps in parents_of.items()
                if link.person in ps and m in parents_of.get(link.relative, set())
            }
            if via:
                continue
        elif link.kind != "relative":
            continue
        a, b = at[link.person], at[link.relative]
        if a.y == b.y:
            y = _top(a) - 26
            out += [
                _line(a.x, _top(a), a.x, y, "2 4", MUTED),
                _line(a.x, y, b.x, y, "2 4", MUTED),
                _line(b.x, y, b.x, _top(b), "2 4", MUTED),
            ]
        else:
            upper, lower = sorted((a, b), key=lambda p: p.y)
            out.append(_line(upper.x, _bottom(upper), lower.x, _top(lower), "2 4", MUTED))
    return out


def render_svg(
    genogram: Genogram, *, title: str = "Family genogram", id_prefix: str = "genogram"
) -> SafeString:
    """The drawing as inline SVG markup (safe to put in a template as is)."""
    prefix = escape(id_prefix)
    people = len(genogram.people)
    related = len(genogram.links)
    summary = (
        f"{people} {'person' if people == 1 else 'people'} and {related} "
        f"{'relationship' if related == 1 else 'relationships'}. "
        "The same information is written out as text with the drawing."
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="hearth-genogram" role="img" '
        f'aria-labelledby="{prefix}-title {prefix}-desc" width="{genogram.width}" '
        f'height="{genogram.height}" viewBox="0 0 {genogram.width} {genogram.height}" '
        f'font-family="Source Sans Pro, Helvetica, Arial, sans-serif" font-size="13">',
        f'<title id="{prefix}-title">{escape(title)}</title>',
        f'<desc id="{prefix}-desc">{escape(summary)}</desc>',
        *_connectors(genogram),
        *(_symbol(placed) for placed in genogram.people),
        "</svg>",
    ]
    # Safe: every piece of text inside went through escape() above.
    return mark_safe("".join(parts))  # noqa: S308


# --- the text alternative ----------------------------------------------------------------


def _label(person: GenoPerson) -> str:
    details = [person.role.lower()] if person.role else []
    if person.alleged_victim:
        details.append("alleged victim")
    return f"{person.name} ({', '.join(details)})" if details else person.name


def describe(genogram: Genogram) -> list[str]:
    """One sentence per relationship, then one per person without any."""
    at = genogram.by_id
    lines = []
    for link in genogram.links:
        note = f" ({link.note})" if link.note else ""
        lines.append(
            f"{_label(at[link.person].person)} {PHRASES[link.kind]} "
            f"{_label(at[link.relative].person)}{note}."
        )
    related = genogram.related_ids()
    for placed in genogram.people:
        if placed.person.id not in related:
            lines.append(f"{_label(placed.person)} has no recorded relationships.")
    return lines
