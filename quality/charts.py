"""Small server-rendered SVG charts for the dashboards. Each chart is a picture of a
table the page also shows (with a text summary), so nothing is only in the picture."""

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 220, 40, 28, 10


def bar_chart(
    title: str, points: list[tuple[str, Decimal | None]], target: Decimal | None
) -> SafeString:
    """Bars of percentages (0-100) with their labels underneath and the target as a
    dashed line. A missing value (nothing counted) shows "n/a" instead of a bar."""
    plot_height = HEIGHT - BOTTOM - TOP
    step = (WIDTH - LEFT) / max(len(points), 1)

    def y(share: Decimal | int) -> float:
        return TOP + plot_height * (1 - float(share) / 100)

    parts = []
    for value in (0, 50, 100):
        parts.append(
            f'<text x="{LEFT - 4}" y="{y(value) + 4:.1f}" text-anchor="end">{value}%</text>'
            f'<line class="hearth-chart__grid" x1="{LEFT}" x2="{WIDTH}" '
            f'y1="{y(value):.1f}" y2="{y(value):.1f}"/>'
        )
    for n, (label, share) in enumerate(points):
        middle = LEFT + n * step + step / 2
        if share is None:
            parts.append(
                f'<text class="hearth-chart__gap" x="{middle:.1f}" y="{HEIGHT - BOTTOM - 4}" '
                'text-anchor="middle">n/a</text>'
            )
        else:
            top = y(share)
            parts.append(
                f'<rect class="hearth-chart__bar" x="{middle - step * 0.35:.1f}" '
                f'y="{top:.1f}" width="{step * 0.7:.1f}" height="{HEIGHT - BOTTOM - top:.1f}">'
                f"<title>{escape(label)}: {share}%</title></rect>"
            )
        parts.append(
            f'<text x="{middle:.1f}" y="{HEIGHT - 8}" text-anchor="middle">{escape(label)}</text>'
        )
    if target is not None:
        parts.append(
            f'<line class="hearth-chart__target" x1="{LEFT}" x2="{WIDTH}" '
            f'y1="{y(target):.1f}" y2="{y(target):.1f}"><title>Target {target}%</title></line>'
        )
    return mark_safe(  # noqa: S308 (numbers formatted here; every text is escaped)
        f'<svg class="hearth-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" focusable="false">{"".join(parts)}</svg>'
    )
