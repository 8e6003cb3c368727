"""The /week chart: the last seven days' magnesium against the target, as PNG bytes."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from nudgebot.platform.i18n import chart_day


def week_chart(
    days: list[tuple[date, float]],
    *,
    target_low: int,
    target_high: int,
    title: str,
    target_label: str,
    unit: str,
    language: str = "en",
) -> bytes:
    """A bar per day, the target as a line (or a band for a range)."""
    # Imported here: matplotlib adds half a second to every start, and only /week needs it.
    # A bare Figure renders off-screen (Agg) without pyplot's global state or a display.
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 3.6), dpi=110)
    ax = fig.add_subplot(1, 1, 1)
    labels = [chart_day(d, language) for d, _ in days]
    values = [v for _, v in days]
    colours = ["#2e7d32" if v >= target_low else "#81c784" for v in values]
    ax.bar(labels, values, color=colours, width=0.6, zorder=2)
    if target_low == target_high:
        ax.axhline(
            target_low,
            color="#c62828",
            linestyle="--",
            linewidth=1.5,
            label=f"{target_label}: {target_low} {unit}",
        )
    else:
        ax.axhspan(
            target_low,
            target_high,
            color="#ffcdd2",
            zorder=0,
            alpha=0.6,
            label=f"{target_label}: {target_low}–{target_high} {unit}",
        )
    for x, v in enumerate(values):
        if v > 0:
            ax.text(x, v, f"{v:.0f}", ha="center", va="bottom", fontsize=8)
    ax.set_ylabel(unit)
    ax.set_ylim(0, max([*values, target_high]) * 1.18)
    ax.set_title(title, fontsize=11)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    # Fixed margins and light PNG compression: the same picture in half the time of
    # tight_layout and default compression (the sender draws one per weekly summary).
    fig.subplots_adjust(left=0.11, right=0.98, top=0.9, bottom=0.16)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def chart_png(spec: dict[str, Any]) -> bytes:
    """The week chart from an outbox payload's "chart" (dates as ISO strings)."""
    return week_chart(
        [(date.fromisoformat(str(d)), float(mg)) for d, mg in spec["days"]],
        target_low=int(spec["target_low"]),
        target_high=int(spec["target_high"]),
        title=str(spec["title"]),
        target_label=str(spec["target_label"]),
        unit=str(spec["unit"]),
        language=str(spec.get("language") or "en"),
    )
