"""Figures of the theory (notebook 01): the typology, the papers' Figures 1 and 2 redrawn from
data/theory, and an organization's profile."""

from __future__ import annotations

from ..lazy import lazy_import
from .theme import SCALE_COLORS

plt = lazy_import("matplotlib.pyplot")
sns = lazy_import("seaborn")

__all__ = [
    "typology_diagram",
    "figure1_diagram",
    "figure2_table",
    "profile_chart",
]


def _box(ax, x, y, text, *, width=2.6, height=0.7, color="#f7f7f7", edge="#444444",
         fontsize=8, weight="normal"):
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                boxstyle="round,pad=0.04,rounding_size=0.12", fc=color,
                                ec=edge, lw=1))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, weight=weight, wrap=True)


def _arrow(ax, xy_from, xy_to, *, color="#555555", style="-|>", ls="-"):
    ax.annotate("", xy=xy_to, xytext=xy_from,
                arrowprops={"arrowstyle": style, "color": color, "lw": 1.2, "ls": ls,
                            "shrinkA": 0, "shrinkB": 0})


def typology_diagram(theory) -> plt.Figure:
    """Four types of action -> ideal-type organizations -> forms, with the instrument's
    scales marked (affectual relations are not measured; Fragmented is no type of action)."""
    import textwrap

    acts = theory.action_types.set_index("action_type")
    scale_of = {r.action_type: r.scale_label for r in theory.scale_mapping.itertuples()
                if r.action_type != "none"}
    color = {"traditional": SCALE_COLORS["traditional"], "instrumental": SCALE_COLORS["bureaucratic"],
             "value_rational": SCALE_COLORS["collaborative"], "affectual": "#999999"}
    order = ["traditional", "affectual", "value_rational", "instrumental"]
    fig, ax = plt.subplots(figsize=(12, 6.2))
    ax.set_xlim(-1.5, 14.5)
    ax.set_ylim(-1.2, 6.2)
    ax.axis("off")
    for col, title in ((0.8, "Type of social action"), (4.6, "Ideal-type organization"),
                       (8.4, "Organizational forms"), (12.3, "Instrument scale (001)")):
        ax.text(col, 5.9, title, ha="center", fontsize=10, weight="bold")
    for i, a in enumerate(order):
        y = 4.8 - 1.45 * i
        r = acts.loc[a]
        rational = "rational" if r["rational"] else "non-rational"
        _box(ax, 0.8, y, f"{r['label']}\n({r['orientation']}; {rational})", color="white",
             edge=color[a], weight="bold")
        _box(ax, 4.6, y, r["ideal_type"], color="white", edge=color[a])
        forms = " / ".join(r["forms"].split(";"))
        _box(ax, 8.4, y, forms, color="white", edge=color[a])
        label = scale_of.get(a)
        _box(ax, 12.3, y, label if label else "not measured", color=color[a] if label else
             "#eeeeee", edge=color[a], weight="bold" if label else "normal")
        _arrow(ax, (2.1, y), (3.3, y))
        _arrow(ax, (5.9, y), (7.1, y))
        _arrow(ax, (9.7, y), (11.0, y), ls="--")
        ax.text(0.8, y - 0.55, textwrap.shorten(r["oriented_by"], 48), ha="center",
                fontsize=6.5, color="#555555")
    _box(ax, 12.3, -0.75, "Fragmented: conflict and alienation\n(no type of action)",
         color=SCALE_COLORS["fragmented"], edge=SCALE_COLORS["fragmented"], width=3.2)
    ax.set_title("Weber's four types of action and the forms they ground", fontsize=12,
                 weight="bold")
    fig.tight_layout()
    return fig


def figure1_diagram(theory) -> plt.Figure:
    """Paper 000's Figure 1 redrawn from its edge list (data/theory/figure1_*.csv)."""
    nodes = theory.figure1_nodes.set_index("node")
    kind_color = {"purpose": "#c7e9c0", "condition": "#fdd0a2", "challenge": "#fcbba1",
                  "principle": "#c6dbef"}
    xs = {0: 0.0, 1: 4.0, 2: 8.0, 3: 12.0}
    pos = {n: (xs[int(r.column)], 3.2 - r.row) for n, r in nodes.iterrows()}
    fig, ax = plt.subplots(figsize=(12, 5.2))
    ax.set_xlim(-1.8, 13.8)
    ax.set_ylim(-0.9, 4.0)
    ax.axis("off")
    for e in theory.figure1_edges.itertuples():
        (x0, y0), (x1, y1) = pos[e.source], pos[e.target]
        if e.relation == "overcomes":
            _arrow(ax, (x0 - 1.5, y0), (x1 + 1.5, y1), color="#08519c", style="-|>")
        elif e.relation == "conditions":
            _arrow(ax, (x0, y0 + 0.35), (x1, y1 - 0.35), color="#d94801", ls="--")
        else:
            _arrow(ax, (x0 + 1.5, y0), (x1 - 1.5, y1), color="#555555")
    import textwrap

    for n, r in nodes.iterrows():
        x, y = pos[n]
        _box(ax, x, y, textwrap.fill(r["label"], 26), width=3.0, height=0.66,
             color=kind_color[r["kind"]], weight="bold" if r["kind"] == "purpose" else "normal")
    for x, lab in ((4.0, "Challenges"), (8.0, "Principles of the collaborative form"),):
        ax.text(x, 3.75, lab, ha="center", weight="bold", fontsize=10)
    ax.text(6.0, -0.75, "blue arrows: the principle overcomes the challenge", ha="center",
            fontsize=8, color="#08519c")
    ax.set_title("Figure 1 (paper 000): sustaining value-rational purpose in large, complex "
                 "organizations", fontsize=11, weight="bold")
    fig.tight_layout()
    return fig


def figure2_table(theory) -> plt.Figure:
    """Paper 000's Figure 2 as a table: dimension, challenge, principle, techniques and the
    Kaiser Permanente examples."""
    import textwrap

    ch = theory.challenges.set_index("dimension")
    tech = theory.techniques
    rows = []
    for dim in theory.challenges.sort_values("order")["dimension"]:
        first = True
        for (order, name), g in tech[tech.dimension == dim].groupby(["technique_order",
                                                                     "technique"], sort=True):
            ex = "\n".join("• " + textwrap.fill(k, 62, subsequent_indent="  ")
                           for k in g["kaiser_example"])
            rows.append([dim.capitalize() if first else "",
                         textwrap.fill(ch.loc[dim, "challenge"], 16) if first else "",
                         textwrap.fill(ch.loc[dim, "principle"], 22) if first else "",
                         textwrap.fill(f"{order}. {name}", 30), ex])
            first = False
    heights = [max(c.count("\n") + 1 for c in r) for r in rows]
    fig_h = 0.5 + 0.2 * sum(heights)
    fig, ax = plt.subplots(figsize=(15, fig_h))
    ax.axis("off")
    table = ax.table(cellText=rows, colLabels=["Dimension", "Challenge", "Principle",
                                               "Technique", "Kaiser Permanente examples"],
                     colWidths=[0.08, 0.11, 0.15, 0.2, 0.46], loc="upper center",
                     cellLoc="left")
    table.auto_set_font_size(False)
    table.set_fontsize(7.5)
    total = sum(heights) + 1.5
    for (i, _j), cell in table.get_celld().items():
        h = 1.5 if i == 0 else heights[i - 1]
        cell.set_height(h / total)
        cell.set_edgecolor("#bbbbbb")
        if i == 0:
            cell.set_facecolor("#deebf7")
            cell.set_text_props(weight="bold")
    ax.set_title("Figure 2 (paper 000): scaling up value-rationality", weight="bold")
    fig.tight_layout()
    return fig


def profile_chart(placement: dict, title: str = "Organization profile") -> plt.Figure:
    """One organization's four scale scores (0-100), with the dominant and secondary types."""
    t = placement["table"]
    fig, ax = plt.subplots(figsize=(7, 3.6))
    colors = [SCALE_COLORS[s] for s in t["scale"]]
    ax.barh(range(len(t)), t["score"], color=colors)
    ax.set_yticks(range(len(t)), [s.capitalize() for s in t["scale"]])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    for i, v in enumerate(t["score"]):
        ax.text(v + 1, i, f"{v:.1f}", va="center", fontsize=9)
    ax.set_xlabel("scale score (0-100)")
    ax.set_title(f"{title}: {placement['reading']} ({placement['dominant']}, then "
                 f"{placement['secondary']}; margin {placement['margin']:.1f})", fontsize=10)
    fig.tight_layout()
    return fig
