"""The report's figures: matplotlib (Agg, no pyplot state) → PNG bytes.

Each panel shows the median across replicates as a line and the 5th–95th percentile band, baseline
against reform in two colour-blind-safe colours (Okabe–Ito blue and vermillion, and different line
styles, so the figure also reads in grey), with the reform's start marked.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

import numpy as np
import xarray as xr
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as MplFigure
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from equality_model.report.series import (
    QUANTILES,
    Figure,
    Panel,
    component,
    decimal_year,
    n_years,
    quantiles,
    start_date,
    x_positions,
    yearly,
)

COLOURS = {"baseline": "#0072B2", "reform": "#D55E00"}  # Okabe–Ito blue, vermillion
STYLES = {"baseline": "--", "reform": "-"}
MARKERS = {"baseline": "o", "reform": "s"}
DPI = 110
PANEL_W, PANEL_H = 3.7, 2.5

ROLE_WORDS = {
    "seller": "People in prostitution",
    "buyer": "Buyers",
    "third_party": "Exploiters (third parties)",
}
ROUTE_WORDS = {
    "services": "Through exit services",
    "unassisted": "Without services",
    "death": "Deaths",
    "aged_out": "Aged out",
}
SERVICE_WORDS = {
    "substance_use": "Substance-use treatment",
    "housing": "Housing",
    "education": "Education",
    "jobs": "Jobs and training",
}
HYPOTHESIS_WORDS = {
    "exploitation": "Exploitation hypothesis",
    "displacement": "Displacement hypothesis",
    "combined": "Both combined",
}
COST_WORDS = {"enforcement": "Enforcement", "services": "Exit services", "education": "Community education"}
SEGMENT_WORDS = {"street": "Street", "indoor": "Indoor", "online": "Online"}


def _labels(ds: xr.Dataset, dim: str) -> list[str]:
    return [str(v) for v in ds[dim].values] if dim in ds.coords else []


def figures(ds: xr.Dataset) -> list[Figure]:
    """The report's figures, built from the dataset's own component labels."""
    segs = _labels(ds, "segment")
    roles = _labels(ds, "role")
    routes = _labels(ds, "route")
    services = _labels(ds, "service")
    hyps = _labels(ds, "hypothesis")
    costs = _labels(ds, "cost_item")
    out = [
        Figure(
            "people-in-prostitution",
            "People in prostitution (end of year)",
            (
                Panel("All segments", "people_in_prostitution", "sum", "stock"),
                *(Panel(SEGMENT_WORDS.get(s, s), "people_in_prostitution", s, "stock") for s in segs),
            ),
        ),
        Figure(
            "trafficking",
            "Trafficking victims",
            (
                Panel("In the trade (end of year)", "people_by_control", "trafficked", "stock"),
                Panel("Newly trafficked a year", "new_trafficking_victims", None, "flow"),
            ),
        ),
        Figure(
            "buyers-and-transactions",
            "Buyers and transactions",
            (
                Panel("Active buyers (bought in the past year)", "active_buyers", None, "stock"),
                Panel("Transactions a year", "transactions", "sum", "flow", "count"),
            ),
        ),
        Figure(
            "arrests",
            "Arrests a year, by role",
            tuple(Panel(ROLE_WORDS.get(r, r), "arrests", r, "flow", "count") for r in roles),
        ),
        Figure(
            "exits",
            "Exits from prostitution a year, by route",
            tuple(Panel(ROUTE_WORDS.get(r, r), "exits", r, "flow") for r in routes),
        ),
        Figure(
            "waiting-list",
            "Waiting for exit services (all services, end of year)",
            (Panel("Waiting list", "waiting_list", "sum", "stock"),),
        ),
        Figure(
            "violence",
            "Violent incidents against people in prostitution a year, under each hypothesis",
            tuple(Panel(HYPOTHESIS_WORDS.get(h, h), "violence", h, "flow", "count") for h in hyps),
            note="The evidence is contested; the model computes all hypotheses in every run.",
        ),
        Figure(
            "records",
            "Selling records held (end of year)",
            (Panel("People with a selling record", "records_held", None, "stock"),),
        ),
        Figure(
            "cost-and-revenue",
            "Public cost and fine revenue (USD a year)",
            (
                Panel("Total cost", "cost", "sum", "flow", "usd"),
                *(Panel(COST_WORDS.get(c, c), "cost", c, "flow", "usd") for c in costs),
                Panel("Fine revenue", "fine_revenue", None, "flow", "usd"),
            ),
        ),
        Figure(
            "services-waiting",
            "Waiting lists by service (end of year)",
            tuple(Panel(SERVICE_WORDS.get(s, s), "waiting_list", s, "stock") for s in services),
            section="exit-services",
        ),
        Figure(
            "services-in-use",
            "Places in use by service (end of year)",
            tuple(Panel(SERVICE_WORDS.get(s, s), "in_service", s, "stock") for s in services),
            section="exit-services",
        ),
        Figure(
            "services-cost",
            "Exit services: exits, cost and fines routed to them (a year)",
            (
                Panel("Exits through services", "exits", "services", "flow"),
                Panel("Cost of exit services (USD)", "cost", "services", "flow", "usd"),
                Panel("Fines routed to services (USD)", "fines_to_services", None, "flow", "usd"),
            ),
            section="exit-services",
        ),
    ]
    return [f for f in out if f.panels and all(p.var in ds for p in f.panels)]


def human(x: float, unit: str = "") -> str:
    """A compact number for axes: 950, 1.2k, 3.4M (with $ for money)."""
    a = abs(x)
    if a >= 1e9:
        s = f"{x / 1e9:.3g}B"
    elif a >= 1e6:
        s = f"{x / 1e6:.3g}M"
    elif a >= 1e4:
        s = f"{x / 1e3:.3g}k"
    elif a >= 100 or a == 0:
        s = f"{x:,.0f}"
    else:
        s = f"{x:.3g}"
    return ("$" + s if not s.startswith("-") else "-$" + s[1:]) if unit == "usd" else s


def _grid(n: int, ncols: int) -> tuple[int, int]:
    cols = ncols or (n if n <= 3 else 2 if n == 4 else 3)
    cols = max(1, min(cols, n))
    return math.ceil(n / cols), cols


def _panel_series(ds: xr.Dataset, p: Panel) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """x positions and, per arm, a 3 × n array (p5, median, p95)."""
    q = quantiles(yearly(ds, p))
    x = x_positions(ds, p.kind)
    per_arm = {str(a): q.sel(arm=a).transpose("quantile", "year").values for a in q["arm"].values}
    if p.kind == "stock":  # the common starting point, so both arms visibly start together
        q0 = component(ds, p.var, p.comp).isel(week=0).quantile(list(QUANTILES), dim="replicate")
        x = np.concatenate([[decimal_year(start_date(ds))], x])
        per_arm = {
            a: np.concatenate([q0.sel(arm=a).values.reshape(3, 1), v], axis=1) for a, v in per_arm.items()
        }
    return x, per_arm


def render(ds: xr.Dataset, fig_spec: Figure, arm_labels: dict[str, str]) -> bytes:
    """One figure as PNG bytes."""
    n = len(fig_spec.panels)
    rows, cols = _grid(n, fig_spec.ncols)
    width = max(PANEL_W * cols, 6.0)
    fig = MplFigure(figsize=(width, PANEL_H * rows + 0.55), dpi=DPI)
    FigureCanvasAgg(fig)
    x0 = decimal_year(start_date(ds))
    ny = n_years(ds)
    axes = fig.subplots(rows, cols, squeeze=False)
    for i, ax in enumerate(axes.flat):
        if i >= n:
            ax.set_visible(False)
            continue
        p = fig_spec.panels[i]
        x, per_arm = _panel_series(ds, p)
        for arm, v in per_arm.items():
            c = COLOURS.get(arm, "#333333")
            ax.fill_between(x, v[0], v[2], color=c, alpha=0.22, linewidth=0)
            ax.plot(x, v[1], color=c, linestyle=STYLES.get(arm, "-"), marker=MARKERS.get(arm), ms=3, lw=1.8)
        ax.axvline(x0, color="#555555", linestyle=":", lw=1.2)
        if i == 0:
            ax.annotate(
                "reform starts",
                xy=(x0, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(3, -3),
                textcoords="offset points",
                fontsize=7.5,
                color="#444444",
                va="top",
            )
        ax.set_title(p.title, fontsize=9.5, loc="left", fontweight="bold")
        ax.set_xlim(x0 - 0.15, x0 + ny + 0.15)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0f}"))
        lo = min(float(np.nanmin(v[0])) for v in per_arm.values())
        hi = max(float(np.nanmax(v[2])) for v in per_arm.values())
        if lo >= 0:
            ax.set_ylim(0, hi * 1.08 if hi > 0 else 1)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos, u=p.unit: human(v, u)))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5))
        if lo == 0 and hi == 0:
            ax.text(
                0.5,
                0.5,
                "zero in both arms",
                transform=ax.transAxes,
                ha="center",
                va="center",
                fontsize=8.5,
                color="#666666",
            )
            ax.set_yticks([0])
        ax.tick_params(labelsize=8)
        ax.grid(True, color="#e5e5e5", lw=0.6)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    handles, names = [], []
    for arm in ("baseline", "reform"):
        c = COLOURS[arm]
        line = Line2D([], [], color=c, linestyle=STYLES[arm], marker=MARKERS[arm], ms=3, lw=1.8)
        handles.append((Patch(color=c, alpha=0.22, lw=0), line))
        names.append(f"{arm_labels.get(arm, arm)}: median and 5th–95th percentile")
    fig.legend(
        handles,
        names,
        handler_map={tuple: HandlerTuple(ndivide=1)},
        loc="upper center",
        ncol=2,
        fontsize=8,
        frameon=False,
        bbox_to_anchor=(0.5, 1.0),
        handlelength=2.6,
    )
    top = 1 - 0.42 / (PANEL_H * rows + 0.55)
    fig.tight_layout(rect=(0, 0, 1, top), h_pad=1.2, w_pad=1.0)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def render_all(
    ds: xr.Dataset, specs: Sequence[Figure], arm_labels: dict[str, str]
) -> list[tuple[Figure, bytes]]:
    return [(f, render(ds, f, arm_labels)) for f in specs]
