"""School-level data as the analyses accept it: the one rule for blank cells, the checks of
school ids and values, the check that a design can be estimated, and the loader of a school
file. Every analysis of school data (the regressions of :mod:`collabcomm.models`, the
populations of :mod:`collabcomm.simulate`) applies them, so a bad file gets the same message
whichever analysis reads it.

By default a school file has the eight school variables of data/README.md. Given a model
specification (:class:`~collabcomm.modelspec.ModelSpec`), any unit file is accepted whose
columns are those the specification names (and its id column, if it names one).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .errors import CollabcommError, MissingDataWarning, ParameterError
from .schema import SCHOOL_VARIABLES

__all__ = [
    "MAX_MAGNITUDE",
    "MISSING_RULES",
    "complete_cases",
    "require_columns",
    "look_alike_columns",
    "check_school_ids",
    "check_school_data",
    "check_design",
    "load_school_data",
]


MAX_MAGNITUDE = 1e12
"""Largest absolute value a school variable may have. Larger values (``1e200``) are typing or
export errors: their squares overflow or swamp every other school in the sums OLS needs."""

MISSING_RULES = ("refuse", "drop")
"""What a blank cell in an analysed column does: refuse the data (default), or drop its row."""


def complete_cases(data: pd.DataFrame, columns: list[str], source: str = "data", *,
                   missing: str = "refuse", first_row: int = 1) -> pd.DataFrame:
    """The rows of ``data`` to analyse, under the companion's one rule for blank cells.

    Every entry point that analyses school data (:func:`~collabcomm.models.fit`, :func:`~collabcomm.models.fit_all`, :func:`~collabcomm.models.vifs`,
    :func:`~collabcomm.models.influence`, :func:`~collabcomm.models.partial_regression`, :func:`load_school_data`,
    :func:`collabcomm.simulate.population_from_data`) applies it:

    - a cell that is not a number (``"n/a"``, ``"12,5"``), or is not finite (``inf``,
      ``-inf``) or larger in size than :data:`MAX_MAGNITUDE` (``1e200``), is always an error;
    - a blank cell is an error by default (``missing="refuse"``), naming ``source``, the
      column and the row;
    - with ``missing="drop"`` the rows with a blank cell in ``columns`` are left out, and a
      :class:`~collabcomm.errors.MissingDataWarning` says how many and which (R's ``lm``
      drops such rows without a word, which changes N silently).

    Parameters
    ----------
    data : DataFrame
    columns : the columns the analysis uses (blanks elsewhere do not matter).
    source : name of the data in messages (a file path, say).
    missing : ``"refuse"`` or ``"drop"``.
    first_row : number reported for the frame's first row: 1 for a frame, 2 for a CSV file
        with a header (file lines).

    Returns
    -------
    DataFrame
        ``data`` without the dropped rows (a copy; values and types unchanged).

    Examples
    --------
    >>> d = pd.DataFrame({"a": [1.0, None, 3.0], "b": [4, 5, 6]})
    >>> complete_cases(d, ["a", "b"], "demo")
    Traceback (most recent call last):
    ...
    collabcomm.errors.CollabcommError: demo: column 'a', row 2: is blank (pass missing="drop" to leave such rows out)
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     len(complete_cases(d, ["a", "b"], "demo", missing="drop")), str(w[0].message)
    (2, 'demo: left out 1 of 3 rows with a blank cell in a used column (rows 2)')
    """
    if missing not in MISSING_RULES:
        raise ParameterError(f"missing must be one of {MISSING_RULES}, not {missing!r}")
    require_columns(data, columns, source)
    x = data[columns].apply(pd.to_numeric, errors="coerce").astype(float)
    blank = data[columns].isna().to_numpy()
    wrong = x.isna().to_numpy() & ~blank
    if wrong.any():
        i, j = np.argwhere(wrong)[0]
        raise CollabcommError(f"{source}: column '{columns[j]}', row {i + first_row}: "
                              f"{str(data[columns[j]].iloc[i])!r} is not a number")
    values = x.to_numpy()
    with np.errstate(invalid="ignore"):
        extreme = ~blank & ~(np.abs(values) <= MAX_MAGNITUDE)  # inf, -inf, 1e200
    if extreme.any():
        i, j = np.argwhere(extreme)[0]
        why = ("is not a finite number" if not np.isfinite(values[i, j])
               else f"is larger in size than {MAX_MAGNITUDE:g}, the most a school variable "
                    "can be")
        raise CollabcommError(f"{source}: column '{columns[j]}', row {i + first_row}: "
                              f"{str(data[columns[j]].iloc[i])!r} {why}")
    if blank.any() and missing == "refuse":
        i, j = np.argwhere(blank)[0]
        raise CollabcommError(f"{source}: column '{columns[j]}', row {i + first_row}: is blank "
                              f"(pass missing=\"drop\" to leave such rows out)")
    keep = ~blank.any(axis=1)
    out = data.loc[keep].copy()
    if not keep.all():
        rows = [int(i) + first_row for i in np.flatnonzero(~keep)]
        shown = ", ".join(map(str, rows[:20])) + (", ..." if len(rows) > 20 else "")
        warnings.warn(f"{source}: left out {len(rows)} of {len(data)} rows with a blank cell "
                      f"in a used column (rows {shown})", MissingDataWarning, stacklevel=2)
    return out


def require_columns(data: pd.DataFrame, columns: list[str], source: str) -> None:
    """Raise :class:`CollabcommError` naming ``source`` and every column of ``columns`` that
    ``data`` lacks. Checked before any row, so that a file of the wrong kind (a teacher-level
    survey given as a school file) is named as such rather than by its first odd row."""
    absent = [c for c in columns if c not in data.columns]
    if absent:
        raise CollabcommError(f"{source}: missing column(s) {absent}")
    twins = look_alike_columns(data.columns, columns)
    if twins:
        raise CollabcommError(f"{source}: columns {twins} differ only in look-alike characters "
                              "(full-width letters, ligatures, ...; equal under Unicode NFKC "
                              "normalization), so a model formula cannot tell them apart; "
                              "rename one of them")


def look_alike_columns(names, used) -> list[str]:
    """The first group of names in ``names`` that are equal after Unicode NFKC normalization
    (``x`` and full-width ``ｘ``, ``fi`` and the ligature ``ﬁ``) and of which one is in
    ``used``; ``[]`` if there is none. A model formula is parsed as Python, which folds names
    by NFKC, so such columns cannot be told apart.

    Examples
    --------
    >>> look_alike_columns(["x", "\uff58", "y"], ["x"])
    ['x', 'ｘ']
    >>> look_alike_columns(["x", "\uff58", "y"], ["y"])
    []
    """
    import unicodedata

    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(unicodedata.normalize("NFKC", str(name)), []).append(str(name))
    used = set(used)
    return next((g for g in groups.values() if len(g) > 1 and used & set(g)), [])


def check_school_ids(data: pd.DataFrame, source: str, *, first_row: int = 1,
                     column: str = "school_id") -> None:
    """Refuse a blank or repeated id in ``column`` (``school_id``; when the column is there).

    Raises :class:`CollabcommError` naming ``source``, the column and the row (``first_row``
    as in :func:`complete_cases`).

    Examples
    --------
    >>> check_school_ids(pd.DataFrame({"school_id": ["S01", None]}), "demo")
    Traceback (most recent call last):
    ...
    collabcomm.errors.CollabcommError: demo: column 'school_id', row 2: is blank; every school needs an id
    """
    if column not in data.columns:
        return
    ids = data[column]
    blank = (ids.isna() | ids.astype(str).str.strip().eq("")).to_numpy()
    if blank.any():
        raise CollabcommError(f"{source}: column '{column}', row "
                              f"{int(np.flatnonzero(blank)[0]) + first_row}: is blank; every "
                              f"{'school' if column == 'school_id' else 'unit'} needs an id")
    dup = ids.astype(str).str.strip().duplicated().to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        j = int(np.flatnonzero((ids.astype(str).str.strip() == str(ids.iloc[i]).strip())
                               .to_numpy())[0])
        raise CollabcommError(f"{source}: column '{column}', row {i + first_row}: "
                              f"{str(ids.iloc[i])!r} repeats row {j + first_row}; each "
                              f"{'school' if column == 'school_id' else 'unit'} must appear "
                              "once")


def check_school_data(data: pd.DataFrame, source: str, *, first_row: int = 1,
                      missing: str = "refuse", columns: list[str] | None = None
                      ) -> pd.DataFrame:
    """Check that ``data`` has the numeric ``columns`` (default the eight school variables of
    :data:`collabcomm.schema.SCHOOL_VARIABLES`) under the blank-cell rule of
    :func:`complete_cases`.

    Returns those columns as floats (rows with a blank cell left out when
    ``missing="drop"``). Raises :class:`CollabcommError` naming ``source`` and the first
    missing column, or the column, row and value of the first non-numeric (or, by default,
    blank) cell.
    """
    names = list(SCHOOL_VARIABLES if columns is None else columns)
    require_columns(data, names, source)
    check_school_ids(data, source, first_row=first_row)
    return complete_cases(data, names, source, missing=missing,
                          first_row=first_row)[names].astype(float)


def load_school_data(path, *, missing: str = "refuse", spec=None) -> pd.DataFrame:
    """Read a school-level CSV (the columns of :data:`collabcomm.schema.SCHOOL_VARIABLES`) for
    the regressions, or, given a model specification ``spec``, any unit-level CSV with the
    columns it names.

    Parameters
    ----------
    path : path-like
    missing : ``"refuse"`` or ``"drop"``, the blank-cell rule of :func:`complete_cases` over
        every column used (so every model is fitted on the same rows).
    spec : :class:`~collabcomm.modelspec.ModelSpec`, optional
        The required numeric columns are then :attr:`~collabcomm.modelspec.ModelSpec.columns`
        (the outcome and every regressor), and its ``id`` column, if it names one, is
        required too and read as text (``"01611190130229"`` keeps its leading zero), with
        blank or repeated ids refused. Without it: the eight school variables, and
        ``school_id`` checked where present.

    Raises :class:`CollabcommError` naming the file and the missing column, or the column, file
    line and value of a non-numeric or blank cell; with ``missing="drop"`` rows with a blank
    cell are left out with a warning instead (:func:`complete_cases`).
    """
    from pathlib import Path

    path = Path(path)
    if not path.is_file():
        raise CollabcommError(f"{path}: school data file not found")
    names = list(SCHOOL_VARIABLES if spec is None else spec.columns)
    id_column = "school_id" if spec is None else spec.unit_id
    required = names if spec is None or spec.id is None else [spec.id, *names]
    try:
        data = pd.read_csv(path, dtype=None if required is names else {spec.id: str})
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise CollabcommError(f"{path}: cannot be read as CSV ({exc})") from None
    require_columns(data, required, str(path))
    check_school_ids(data, str(path), first_row=2, column=id_column)
    out = complete_cases(data, names, str(path), missing=missing, first_row=2)
    out = out.reset_index(drop=True)
    out.attrs["source"] = str(path)  # so that check_design's messages name the file
    return out


def check_design(data: pd.DataFrame, columns: list[str], source: str, *, what: str) -> None:
    """Refuse school data that ``what`` (a model, a population) cannot be estimated from.

    The one validation of degenerate school files, shared by the regressions (:func:`~collabcomm.models.fit`,
    so notebooks 04 and 05) and the simulations (:func:`collabcomm.simulate.population_from_data`,
    notebook 07).

    Parameters
    ----------
    data : DataFrame
        Numeric, complete columns (after :func:`complete_cases`).
    columns : list of str
        The variables used: a model's outcome and regressors, or a population's variables.
    source : str
        Name of the data in messages (a file path, say).
    what : str
        What needs the data, in messages (``"model 5 (4 regressors and a constant)"``).

    Raises
    ------
    CollabcommError
        Naming ``source``: fewer schools than ``len(columns) + 1`` (a model then has no
        residual degrees of freedom; a covariance matrix is singular); a constant column
        (zero variance), named; or columns so collinear that their correlation matrix is not
        positive definite (smallest eigenvalue below 1e-10), naming the columns that carry
        the near-null direction.

    Examples
    --------
    >>> d = pd.DataFrame({"y": [1.0, 2, 4, 3], "x": [1.0, 1, 1, 1]})
    >>> check_design(d, ["y", "x"], "demo", what="a line")
    Traceback (most recent call last):
    ...
    collabcomm.errors.CollabcommError: demo: column(s) ['x'] are constant (zero variance); a line cannot be estimated from them
    """
    n, k = len(data), len(columns)
    if n < k + 1:
        raise CollabcommError(f"{source}: {n} school(s); {what} needs at least {k + 1}")
    x = data[list(columns)].astype(float)
    sds = x.std(ddof=1)
    flat = [c for c in columns if not sds[c] > 0]
    if flat:
        raise CollabcommError(f"{source}: column(s) {flat} are constant (zero variance); {what} "
                              "cannot be estimated from them")
    values, vectors = np.linalg.eigh(x.corr().to_numpy())
    if values[0] < 1e-10:
        tied = [c for c, w in zip(columns, vectors[:, 0], strict=True) if abs(w) > 0.1]
        raise CollabcommError(f"{source}: the correlation matrix of {list(columns)} is not "
                              f"positive definite (smallest eigenvalue {values[0]:.3g}); "
                              f"columns {tied} are collinear, so {what} cannot separate them")
