"""Chinese characters kept whole where one widget lies over another (a toast over the table).

Textual's compositor cuts every screen line at the edges of every visible widget, including the
ones hidden under a toast or a drop-down, and cuts the top widget's line there too; a
double-width character astride such an edge becomes two spaces (名称 shows as " 称"). Upstream:
https://github.com/Textualize/textual/issues/6357 (open in 8.2.8). ``_render_chops`` below is
Textual's, except that a widget's line is cut only where the widget it meets is another one; the
pieces of the line it covers alone go into the first of their buckets whole, the others get an
empty strip so nothing beneath claims them. This is the only code that touches the compositor.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from textual._compositor import Compositor
from textual.geometry import Region
from textual.strip import Strip

NOTHING = Strip([], 0)


def _render_chops(
    self: Compositor, crop: Region, is_rendered_line: Callable[[int], bool]
) -> Sequence[Mapping[int, Strip]]:
    cuts = self.cuts
    chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
    for region, clip, strips in self._get_renders(crop):
        render_region = region.intersection(clip)
        render_x = render_region.x
        first_cut, last_cut = render_region.column_span
        for y, strip in zip(render_region.line_range, strips, strict=False):
            if not is_rendered_line(y):
                continue
            line = chops[y]
            final_cuts = [cut for cut in cuts[y] if last_cut >= cut >= first_cut]
            starts = final_cuts[:-1]
            if not starts:
                continue
            free = [line.get(cut, NOTHING) is None for cut in starts]  # buckets this widget wins
            # keep a cut where the widget meets another one (a bucket already won on either side)
            kept = [starts[0], *(cut for i, cut in enumerate(starts[1:], 1) if not (free[i - 1] and free[i]))]
            pieces = strip.divide([cut - render_x for cut in [*kept[1:], final_cuts[-1]]])
            piece_of = dict(zip(kept, pieces, strict=False))
            for cut, wins in zip(starts, free, strict=True):
                if wins:
                    line[cut] = piece_of.get(cut, NOTHING)
    return chops  # type: ignore[return-value]


def apply() -> None:
    """Use the whole-character version (idempotent)."""
    Compositor._render_chops = _render_chops  # type: ignore[method-assign]
