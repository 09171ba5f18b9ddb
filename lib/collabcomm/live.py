"""Live figures for teaching: Vega-Lite charts (altair) of notebook 07's precomputed grids,
driven by sliders in the browser, on the website, in the slides and in JupyterLab.

This is presentation: it lays out and formats what :mod:`collabcomm.classroom` computed and
never computes a statistic. A control picks rows of the grid (a filter); the browser draws
them. The numbers shown are the grid's, written at the precision they carry (power to three
decimals: a multiple of 1/500; Type M and Type S to three decimals; slopes to four).

A figure is a :class:`LiveFigure`: the altair chart and its Vega-Lite specification. Shown in
JupyterLab it is rendered by JupyterLab's own Vega-Lite renderer (the
``application/vnd.vegalite.v5+json`` output), with no network and no kernel round trip; the
website and the slides embed the same specification with the vendored vega, vega-lite and
vega-embed (:mod:`collabcomm.pipeline.live`).
"""

from __future__ import annotations

import io

import pandas as pd

from .errors import ParameterError

__all__ = ["VEGALITE_MIME", "LiveFigure", "grid_data", "power_explorer", "power_slide"]

VEGALITE_MIME = "application/vnd.vegalite.v5+json"
"""The output type of a live figure (JupyterLab renders it without a network)."""

DECIMALS = {"n_schools": 0, "effect": 2, "reliability": 2, "level": 2, "power": 3,
            "type_m": 3, "type_s": 3, "mean_estimate": 4, "factor": 4, "observed": 4}
"""Decimals written for each column of the embedded grids."""

CONFIG = {"font": "sans-serif",
          "axis": {"labelFontSize": 15, "titleFontSize": 16, "grid": True},
          "legend": {"labelFontSize": 14, "titleFontSize": 15, "orient": "bottom"},
          "title": {"fontSize": 18, "anchor": "start"},
          "view": {"stroke": None}}
"""Large type: legible from the back of a lecture hall."""

PAPER_COLOR, CURVE_COLOR, TRUE_COLOR = "#888888", "#1f5fa8", "#b8401a"
_EPS = "1e-6"


class LiveFigure:
    """A live figure: ``chart`` (altair) and ``spec`` (its Vega-Lite dict). Displayed in a
    notebook, it is a Vega-Lite output that JupyterLab draws with its controls."""

    def __init__(self, chart, title: str) -> None:
        self.chart, self.title = chart, title
        self.spec = chart.to_dict()

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {VEGALITE_MIME: self.spec, "text/plain": f"<live figure: {self.title}>"}

    def data_bytes(self) -> int:
        """Size of the data embedded in the figure (its ``datasets``), in bytes of UTF-8."""
        import json

        return sum(len(json.dumps(v).encode()) for v in self.spec.get("datasets", {}).values())


def grid_data(table: pd.DataFrame):
    """A grid as Vega-Lite inline CSV (about a quarter of the size of JSON rows), each column
    at its :data:`DECIMALS`; a missing value (Type M with no significant study) is empty."""
    import altair as alt

    out = table.copy()
    for col in out.columns:
        d = DECIMALS.get(col)
        if d is not None:
            out[col] = out[col].map(lambda v, d=d: "" if pd.isna(v) else f"{v:.{d}f}")
    buf = io.StringIO()
    out.to_csv(buf, index=False, lineterminator="\n")
    return alt.InlineData(values=buf.getvalue(), format=alt.CsvDataFormat(
        type="csv", parse={c: "number" for c in out.columns}))


def _controls(table, *, n, effect, reliability, level, only_n: bool = False):
    import altair as alt

    ns = sorted(table["n_schools"].unique())
    step = int(ns[1] - ns[0]) if len(ns) > 1 else 1
    params = {"sel_n": alt.param(name="sel_n", value=int(n), bind=alt.binding_range(
        min=int(ns[0]), max=int(ns[-1]), step=step, name="Number of schools N "))}
    if only_n:
        return params
    es, rs = sorted(table["effect"].unique()), sorted(table["reliability"].unique())
    params["sel_effect"] = alt.param(name="sel_effect", value=effect, bind=alt.binding_range(
        min=es[0], max=es[-1], step=round(es[1] - es[0], 6), name="True standardized slope "))
    params["sel_reliability"] = alt.param(
        name="sel_reliability", value=reliability, bind=alt.binding_range(
            min=rs[0], max=rs[-1], step=round(rs[1] - rs[0], 6),
            name="Reliability of school means "))
    levels = sorted(table["level"].unique(), reverse=True)
    params["sel_level"] = alt.param(name="sel_level", value=level, bind=alt.binding_radio(
        options=levels, labels=[f"{v:.2f}" for v in levels], name="Significance level α "))
    return params


def _setting(fixed: bool) -> str:
    """The filter that keeps the grid's rows at the chosen slope, reliability and level."""
    if fixed:
        return "true"
    return (f"abs(datum.effect - sel_effect) < {_EPS} && "
            f"abs(datum.reliability - sel_reliability) < {_EPS} && "
            f"abs(datum.level - sel_level) < {_EPS}")


def _curve(field: str, title: str, *, name: str, label: str, fmt: str, paper_n: int,
           width: int, height: int, domain=None, fixed: bool = False, reference=None):
    """One quantity of the grid against the number of schools: the curve at the chosen
    setting, the paper's N, the chosen N as a point, and a readout of the value there."""
    import altair as alt

    _ONE = alt.Data(values=[{}])  # one mark, not one per row of the grid
    base = alt.Chart().transform_filter(_setting(fixed))
    ticks = sorted({10, 20, 30, 40, 50, 60, paper_n})
    x = alt.X("n_schools:Q", title="Number of schools N",
              scale=alt.Scale(domainMin=10, nice=False), axis=alt.Axis(values=ticks))
    scale = alt.Scale(domain=domain) if domain else alt.Scale(zero=True)
    y = alt.Y(f"{field}:Q", title=title, scale=scale)
    layers = [base.mark_line(color=CURVE_COLOR, strokeWidth=3).encode(x=x, y=y)]
    if reference is not None:
        layers.append(alt.Chart(_ONE).mark_rule(color=PAPER_COLOR, strokeDash=[2, 3]).encode(
            y=alt.datum(reference)))
    layers += [
        alt.Chart(_ONE).mark_rule(color=PAPER_COLOR, strokeDash=[6, 4], strokeWidth=2).encode(
            x=alt.datum(paper_n)),
        alt.Chart(_ONE).mark_text(align="left", dx=4, dy=-4, fontSize=14, color="#555555",
                              baseline="bottom").encode(
            x=alt.datum(paper_n), y=alt.value(height), text=alt.value(f"the paper: {paper_n}")),
        base.transform_filter("datum.n_schools == sel_n").mark_point(
            filled=True, size=180, color=TRUE_COLOR).encode(x=x, y=y),
        base.transform_filter("datum.n_schools == sel_n").transform_calculate(
            readout=f"'N = ' + datum.n_schools + ': {label} ' + "
                    f"(isValid(datum.{field}) ? format(datum.{field}, '{fmt}') : 'none significant')"
        ).mark_text(align="left", baseline="top", fontSize=18, fontWeight="bold",
                    color=TRUE_COLOR).encode(x=alt.value(8), y=alt.value(4), text="readout:N")
        .properties(name=name),
    ]
    return alt.layer(*layers).properties(width=width, height=height)


def _attenuation(attenuation: pd.DataFrame, table: pd.DataFrame, *, width: int, height: int):
    """The slope a study expects to observe against the true one as reliability falls, with
    the grid's mean simulated estimate at the chosen N."""
    import altair as alt

    x = alt.X("reliability:Q", title="Reliability of the school means (ICC(2))",
              scale=alt.Scale(domain=[1.0, 0.3]))
    y = alt.Y("slope:Q", title="Standardized slope", scale=alt.Scale(zero=True))
    at = (alt.Chart(grid_data(attenuation))
          .transform_filter(f"abs(datum.effect - sel_effect) < {_EPS}"))
    lines = at.transform_fold(["effect", "observed"], as_=["which", "slope"]).transform_calculate(
        label="datum.which == 'effect' ? 'true slope' : 'expected observed slope'"
    ).mark_line(strokeWidth=3).encode(
        x=x, y=y, color=alt.Color("label:N", legend=None, scale=alt.Scale(
            domain=["true slope", "expected observed slope"], range=[TRUE_COLOR, CURVE_COLOR])),
        strokeDash=alt.StrokeDash("label:N", legend=None, scale=alt.Scale(
            domain=["true slope", "expected observed slope"], range=[[6, 4], [1, 0]])))
    sims = (alt.Chart(grid_data(table[table["level"] == table["level"].iloc[0]]
                                [["n_schools", "effect", "reliability", "mean_estimate"]]))
            .transform_filter(f"abs(datum.effect - sel_effect) < {_EPS} && "
                              "datum.n_schools == sel_n")
            .mark_point(filled=True, size=110, color="#333333")
            .encode(x=x, y=alt.Y("mean_estimate:Q"),
                    tooltip=[alt.Tooltip("mean_estimate:Q", title="mean simulated estimate")]))
    chosen = at.transform_filter(f"abs(datum.reliability - sel_reliability) < {_EPS}")
    rule = chosen.mark_rule(color=PAPER_COLOR, strokeDash=[6, 4], strokeWidth=2).encode(x=x)
    readout = chosen.transform_calculate(
        readout="'reliability ' + format(datum.reliability, '.2f') + ': observed ' + "
                "format(datum.observed, '.4f') + ' for a true ' + format(datum.effect, '.2f') + "
                "' (' + format(datum.factor, '.0%') + ')'"
    ).mark_text(align="left", baseline="bottom", fontSize=17, fontWeight="bold",
                color=CURVE_COLOR).encode(x=alt.value(8), y=alt.value(height - 8),
                                          text="readout:N").properties(name="attenuation_readout")
    return alt.layer(lines, sims, rule, readout).properties(
        width=width, height=height,
        title=alt.TitleParams("Attenuation: the observed slope shrinks as reliability falls",
                              subtitle=["dashed: the true slope; line: the slope a study "
                                        "expects to observe;",
                                        "dots: mean estimate of the simulated studies at N"]))


def power_explorer(table: pd.DataFrame, attenuation: pd.DataFrame, *, n: int = 26,
                   effect: float = 0.08, reliability: float = 0.8, level: float = 0.05,
                   paper_n: int = 26) -> LiveFigure:
    """Notebook 07's page: power against N, Type M and Type S against N, and attenuation
    against reliability, all driven by four controls (N, the true standardized slope, the
    reliability of the school means and the significance level).

    Parameters
    ----------
    table : DataFrame
        :func:`collabcomm.classroom.power_table`.
    attenuation : DataFrame
        :func:`collabcomm.classroom.attenuation_table` (the same slopes).
    n, effect, reliability, level : int, float, float, float
        The controls' starting values (values of the grid).
    paper_n : int
        The number of schools marked on the curves.
    """
    import altair as alt

    params = _controls(table, n=n, effect=effect, reliability=reliability, level=level)
    power = _curve("power", "Power: share of studies with p < α", name="power_readout",
                   label="power", fmt=".3f", paper_n=paper_n, width=540, height=300,
                   domain=[0, 1], reference=0.8).properties(
        title=alt.TitleParams("Power against the number of schools",
                              subtitle="dotted: power 0.8, a common target"))
    type_m = _curve("type_m", "Exaggeration ratio (Type M)", name="type_m_readout",
                    label="Type M", fmt=".2f", paper_n=paper_n, width=215, height=200,
                    reference=1).properties(title="Type M: exaggeration")
    type_s = _curve("type_s", "Wrong-sign rate (Type S)", name="type_s_readout",
                    label="Type S", fmt=".3f", paper_n=paper_n, width=215, height=200
                    ).properties(title="Type S: wrong sign")
    chart = alt.vconcat(power, alt.hconcat(type_m, type_s, spacing=30),
                        _attenuation(attenuation, table, width=540, height=260),
                        data=grid_data(table), spacing=36, config=CONFIG
                        ).add_params(*params.values())
    return LiveFigure(chart, "power, Type M and S, and attenuation, live")


def power_slide(table: pd.DataFrame, *, n: int = 26, effect: float = 0.08,
                reliability: float = 0.8, level: float = 0.05,
                paper_n: int = 26) -> LiveFigure:
    """The slide's live figure: power against N at one slope, reliability and level (the
    grid's rows at those values), with an N slider."""
    import altair as alt

    keep = ((table["effect"] - effect).abs() < 1e-9) & (
        (table["reliability"] - reliability).abs() < 1e-9) & ((table["level"] - level).abs() < 1e-9)
    rows = table.loc[keep, ["n_schools", "power"]]
    if rows.empty:
        raise ParameterError(f"the grid has no rows at slope {effect}, reliability {reliability} "
                         f"and level {level}")
    params = _controls(table, n=n, effect=effect, reliability=reliability, level=level,
                       only_n=True)
    chart = _curve("power", f"Power (p < {level:.2f})", name="power_readout", label="power",
                   fmt=".3f", paper_n=paper_n, width=760, height=330, domain=[0, 1],
                   reference=0.8, fixed=True).properties(
        title=alt.TitleParams(f"Slope {effect:.2f} SD, reliability {reliability:.2f}",
                              fontSize=20))
    chart = alt.layer(chart, data=grid_data(rows)).add_params(*params.values()).configure(
        **CONFIG)
    return LiveFigure(chart, "power against N, live")
