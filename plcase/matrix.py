"""Cross-case matrices: which themes appear where, voiced by whom, from which sources.

Every function here starts from one tidy frame, :func:`coded_passages`, which
rolls a coder's codings up to passages:

* a coding counts in every passage it **overlaps** (half-open character
  ranges ``[start, end)``), so a coding that spans two speaker turns counts in
  both; nothing is dropped;
* several codings of the same code in one passage count **once**: the unit of
  every count is the (passage, code) pair.

The matrices are wide frames built from that long frame at the boundary
(``theme_matrix``, ``cooccurrence``); :func:`to_long` turns a matrix back into
a tidy frame.  Group rows are every value of the grouping column(s) present in
``study.documents``, so a school or role that never voiced a theme shows a
zero, not a missing row.

Examples
--------
>>> import plcase
>>> from plcase.matrix import theme_matrix
>>> study = plcase.read_sample()
>>> theme_matrix(study).columns.tolist()
['shared_culture', 'embedded_pd', 'student_driven', 'whole_child_sel']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from plcase import config
from plcase.errors import PlcaseError
from plcase.schema import ROLES, SOURCES

__all__ = ["MEASURES", "coded_passages", "theme_matrix", "to_long", "framework_matrix",
           "framework_wide", "cooccurrence", "glow_grow", "saturation", "trim_quote"]

#: The measures :func:`theme_matrix` can fill its cells with.
MEASURES = ("passages", "share", "informants", "sources", "per_1000_words")

#: Document columns copied onto every coded passage.
_DOC_COLUMNS = ("school", "source", "role", "participant", "date")

#: Printable length of a quote in a framework matrix, in characters.
QUOTE_CHARS = 280


# --------------------------------------------------------------------------- checks

def _check_coder(study, coder: str | None) -> str:
    coder = study.primary_coder if coder is None else coder
    coders = study.coders
    # A study with no codings at all has no coders to check against; its matrices are zeros.
    if coders and coder not in coders:
        raise PlcaseError(f"unknown coder {coder!r}; the study's coders are "
                          f"{', '.join(repr(c) for c in coders)}")
    return coder


def _check_codes(study, codes: Iterable[str] | str | None,
                 default: str | None = "themes") -> list[str]:
    if codes is None:
        codes = study.theme_codes if default == "themes" else study.codes
    elif isinstance(codes, str):
        codes = [codes]
    codes = list(dict.fromkeys(codes))
    unknown = [c for c in codes if c not in set(study.codes)]
    if unknown:
        raise PlcaseError(f"unknown code(s) {', '.join(repr(c) for c in unknown)}; the codebook "
                          f"has {', '.join(repr(c) for c in study.codes)}")
    return codes


def _check_valence(study) -> list[str]:
    valence = list(study.valence_codes)
    if len(valence) != 2:
        raise PlcaseError(f"glows and grows need two valence codes, a positive and a negative one; "
                          f"this study has {valence or 'none'} (add two codes of kind: valence to "
                          f"the codebook, or name them in study.yml as valence: [positive, negative])")
    return valence


def _check_by(study, by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    columns = [by] if isinstance(by, str) else list(by)
    valid = [c for c in study.documents.columns if c not in ("path",)]
    unknown = [c for c in columns if c not in valid]
    if unknown:
        raise PlcaseError(f"unknown grouping column(s) {', '.join(repr(c) for c in unknown)}; "
                          f"group by a document column: {', '.join(repr(c) for c in valid)}")
    if len(set(columns)) != len(columns):
        raise PlcaseError(f"grouping columns repeat: {columns}")
    return columns


def _order_key(column: str):
    """Sort key for group labels: schema order for source and role, else natural order."""
    known = {"source": SOURCES, "role": ROLES}.get(column)

    def key(value):
        if pd.isna(value):
            return (2, 0, "")
        if known is not None and value in known:
            return (0, known.index(value), "")
        return (1, 0, str(value))
    return key


def _group_index(documents: pd.DataFrame, by: list[str]) -> pd.Index:
    """Every group present in the documents, in a stable order."""
    combos = documents[by].drop_duplicates()
    keys = [_order_key(c) for c in by]
    tuples = sorted((tuple(row) for row in combos.itertuples(index=False)),
                    key=lambda t: tuple(k(v) for k, v in zip(keys, t)))
    if len(by) == 1:
        return pd.Index([t[0] for t in tuples], name=by[0])
    return pd.MultiIndex.from_tuples(tuples, names=by)


# --------------------------------------------------------------------------- the long form

def _pieces(study, coder: str) -> pd.DataFrame:
    """One row per coding × passage it overlaps, with the overlap clipped to the passage.

    ``coding_id`` is the row position of the coding in ``study.codings``.
    """
    codings = study.codings.reset_index(drop=True)
    codings = codings[codings["coder"] == coder]
    left = pd.DataFrame({"coding_id": codings.index, "doc_id": codings["doc_id"],
                         "code": codings["code"], "c_start": codings["start"],
                         "c_end": codings["end"]})
    right = study.passages[["passage_id", "doc_id", "speaker", "start", "end"]].rename(
        columns={"start": "p_start", "end": "p_end"})
    pairs = left.merge(right, on="doc_id", how="inner")
    # Half-open overlap; a zero-length coding belongs to the passage its position falls in.
    empty = pairs["c_start"] == pairs["c_end"]
    overlap = ((pairs["p_start"] < pairs["c_end"]) | (empty & (pairs["p_start"] <= pairs["c_start"]))) \
        & (pairs["c_start"] < pairs["p_end"])
    pairs = pairs[overlap]
    lost = left.loc[~left["coding_id"].isin(pairs["coding_id"])]
    if len(lost):
        row = lost.iloc[0]
        raise PlcaseError(f"{len(lost)} coding(s) of {coder!r} overlap no passage, first "
                          f"{row['code']!r} at [{row['c_start']}, {row['c_end']}) in "
                          f"{row['doc_id']!r}; every coding must fall inside a passage to be counted")
    pairs = pairs.assign(start=np.maximum(pairs["c_start"], pairs["p_start"]),
                         end=np.minimum(pairs["c_end"], pairs["p_end"]))
    return pairs[["coding_id", "doc_id", "passage_id", "speaker", "code", "start", "end"]] \
        .sort_values(["doc_id", "passage_id", "code", "start", "coding_id"], kind="mergesort") \
        .reset_index(drop=True)


def _informant(frame: pd.DataFrame) -> pd.Series:
    """Who voiced a passage: the pseudonym, or the speaker label within a focus group."""
    in_group = frame["source"].eq("focus_group") & frame["speaker"].notna()
    named = frame["participant"].where(frame["participant"].notna(),
                                       frame["doc_id"] + "/" + frame["speaker"].fillna(""))
    return named.where(~in_group, frame["doc_id"] + "/" + frame["speaker"].astype(str))


def coded_passages(study, coder: str | None = None, codes: Iterable[str] | None = None) -> pd.DataFrame:
    """Roll one coder's codings up to passages: one row per (passage, code).

    A coding counts in every passage it overlaps, so a coding spanning two
    passages appears under both; several codings of one code inside a passage
    count once (``n_codings`` says how many were rolled together).

    Parameters
    ----------
    study : Study
    coder : str, optional
        Defaults to the study's primary coder (``study.primary_coder``).
    codes : list of str, optional
        Keep only these codes (default: every code the coder applied).

    Returns
    -------
    DataFrame
        ``passage_id, doc_id, code, n_codings, start, end, speaker, school,
        source, role, participant, date, informant``; ``start``/``end`` span
        the code's codings within the passage.

    Examples
    --------
    >>> import plcase
    >>> study = plcase.read_sample()
    >>> long = coded_passages(study)
    >>> long.duplicated(["passage_id", "code"]).any()
    np.False_
    """
    coder = _check_coder(study, coder)
    pieces = _pieces(study, coder)
    if codes is not None:
        pieces = pieces[pieces["code"].isin(_check_codes(study, codes))]
    rolled = (pieces.groupby(["passage_id", "code"], sort=False)
              .agg(doc_id=("doc_id", "first"), speaker=("speaker", "first"),
                   n_codings=("coding_id", "nunique"), start=("start", "min"), end=("end", "max"))
              .reset_index())
    docs = study.documents[["doc_id", *_DOC_COLUMNS]]
    rolled = rolled.merge(docs, on="doc_id", how="left")
    rolled["informant"] = _informant(rolled) if len(rolled) else pd.Series(dtype=object)
    rolled = rolled[["passage_id", "doc_id", "code", "n_codings", "start", "end", "speaker",
                     *_DOC_COLUMNS, "informant"]]
    return rolled.sort_values(["doc_id", "start", "passage_id", "code"], kind="mergesort") \
        .reset_index(drop=True)


# --------------------------------------------------------------------------- theme matrix

def theme_matrix(study, by: str | Sequence[str] | None = None, measure: str = "passages",
                 coder: str | None = None, codes: Iterable[str] | None = None) -> pd.DataFrame:
    """Groups × codes matrix of how much each theme was voiced.

    Codings are first rolled to passages (:func:`coded_passages`): a coding
    counts in every passage it overlaps, so one spanning two passages counts
    in both, and each (passage, code) counts once however many codings it holds.

    Parameters
    ----------
    study : Study
    by : str or list of str, optional
        Default the study's case column (``study.case_column``, ``school`` unless study.yml says otherwise).
        A document column (``school``, ``role``, ``source``, ...) or a list of
        columns (``["school", "role"]`` gives MultiIndex rows).
    measure : {"passages", "share", "informants", "sources", "per_1000_words"}
        ``passages``: passages coded with the code.
        ``share``: those passages as a share of all the row's passages
        (interviewer turns included, so compare rows collected the same way).
        ``informants``: distinct people who voiced the code (the pseudonym;
        in a focus group each speaker label counts as a person).
        ``sources``: distinct source types (interview, focus group, site
        visit, document) where the code appears: triangulation.
        ``per_1000_words``: coded passages per 1,000 words of the row's documents.
    coder : str, optional
        Defaults to the study's primary coder (``study.primary_coder``).
    codes : list of str, optional
        Columns; default the study's theme codes (``study.theme_codes``).

    Returns
    -------
    DataFrame
        Rows = groups, columns = codes (named ``code``); empty cells are 0.
        ``attrs`` records ``measure`` and ``coder``.

    Examples
    --------
    >>> import plcase
    >>> study = plcase.read_sample()
    >>> m = theme_matrix(study, by="school", measure="share")
    >>> m.index.name, m.attrs["measure"]
    ('school', 'share')
    """
    if measure not in MEASURES:
        raise PlcaseError(f"unknown measure {measure!r}; choose one of "
                          f"{', '.join(repr(m) for m in MEASURES)}")
    by_cols = _check_by(study, study.case_column if by is None else by)
    if not by_cols:
        raise PlcaseError("theme_matrix needs at least one grouping column")
    codes = _check_codes(study, codes)
    coder = _check_coder(study, coder)
    rows = _group_index(study.documents, by_cols)
    long = coded_passages(study, coder=coder)
    chosen = long[long["code"].isin(codes)]
    grouped = chosen.groupby(by_cols + ["code"], dropna=False)

    if measure in ("passages", "share", "per_1000_words"):
        counts = grouped["passage_id"].nunique()
    elif measure == "informants":
        counts = grouped["informant"].nunique()
    else:
        counts = grouped["source"].nunique()
    matrix = _widen(counts, rows, codes, by_cols)

    if measure == "share":
        all_passages = study.passages[["passage_id", "doc_id"]].merge(
            study.documents[["doc_id", *by_cols]], on="doc_id")
        denominator = all_passages.groupby(by_cols, dropna=False)["passage_id"].nunique()
        denominator = _align(denominator, rows)
        matrix = matrix.astype(float).div(denominator.where(denominator > 0), axis=0).fillna(0.0)
    elif measure == "per_1000_words":
        words = pd.to_numeric(study.documents["n_words"], errors="coerce")
        words = study.documents.assign(n_words=words).groupby(by_cols, dropna=False)["n_words"].sum()
        words = _align(words, rows)
        matrix = matrix.astype(float).mul(1000).div(words.where(words > 0), axis=0).fillna(0.0)
    else:
        matrix = matrix.astype("int64")
    matrix.columns.name = "code"
    matrix.attrs = {"measure": measure, "coder": coder}
    return matrix


def _align(series: pd.Series, rows: pd.Index) -> pd.Series:
    series = series.copy()
    if isinstance(rows, pd.MultiIndex):
        series.index = pd.MultiIndex.from_tuples(list(series.index), names=rows.names)
    return series.reindex(rows).fillna(0)


def _widen(counts: pd.Series, rows: pd.Index, codes: list[str], by_cols: list[str]) -> pd.DataFrame:
    if counts.empty:
        return pd.DataFrame(0, index=rows, columns=pd.Index(codes, name="code"))
    wide = counts.unstack("code")
    if isinstance(rows, pd.MultiIndex):
        wide.index = pd.MultiIndex.from_tuples(list(wide.index), names=by_cols)
    return wide.reindex(index=rows, columns=codes).fillna(0)


def to_long(matrix: pd.DataFrame, value: str | None = None) -> pd.DataFrame:
    """Turn a wide matrix back into a tidy frame: one row per group × code.

    Parameters
    ----------
    matrix : DataFrame
        From :func:`theme_matrix` or :func:`cooccurrence`.
    value : str, optional
        Name of the value column; default the matrix's ``attrs["measure"]``
        (``"value"`` if it has none).

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame([[1, 0]], index=pd.Index(["Newell"], name="school"),
    ...                  columns=pd.Index(["glow", "grow"], name="code"))
    >>> to_long(m, "passages").values.tolist()
    [['Newell', 'glow', 1], ['Newell', 'grow', 0]]
    """
    value = value or matrix.attrs.get("measure", "value")
    column_name = matrix.columns.name or "code"
    frame = matrix.copy()
    frame.columns.name = column_name
    long = frame.stack(future_stack=True).rename(value).reset_index()
    long.attrs = {}
    return long


# --------------------------------------------------------------------------- quotes

def _excerpt_text(study, doc_id: str, start: int, end: int) -> str:
    return re.sub(r"\s+", " ", study.texts[doc_id][start:end]).strip()


def trim_quote(text: str, max_chars: int = QUOTE_CHARS) -> str:
    """Shorten ``text`` to at most ``max_chars`` characters at a word boundary, with an ellipsis.

    Examples
    --------
    >>> trim_quote("Every other Tuesday we have Swap Shop.", 20)
    'Every other Tuesday…'
    """
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    space = cut.rfind(" ")
    if space > max_chars // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-—") + "…"


def _attribution(row) -> str:
    speaker = row["speaker"]
    if row["source"] == "focus_group" and isinstance(speaker, str) and speaker:
        label = speaker.title() if speaker.isupper() else speaker
        return f"— {label}, student"
    who = row["participant"] if isinstance(row["participant"], str) else "unnamed"
    role = row["role"] if isinstance(row["role"], str) else "participant"
    if row["source"] == "site_visit":
        return f"— site-visit notes, {who} ({role})"
    if row["source"] == "document":
        return f"— document, {who}"
    return f"— {who}, {role}"


def _centrality(study, texts: list[str]) -> np.ndarray:
    """Cosine similarity of each text's TF-IDF vector to the centroid of the texts.

    The vocabulary and IDF come from every passage of the study, so a cell's
    scores do not depend on which other cells exist.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    if len(texts) == 1:
        return np.ones(1)
    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True)
    vectorizer.fit(study.passages["text"].fillna("").tolist() + list(texts))
    matrix = vectorizer.transform(texts)
    centroid = np.asarray(matrix.mean(axis=0)).ravel()
    norm = np.linalg.norm(centroid)
    if norm == 0:
        return np.zeros(len(texts))
    # Rows of a TfidfVectorizer output are already unit length (or all zero).
    scores = matrix @ (centroid / norm)
    return np.round(np.asarray(scores).ravel(), 12)


def _rank_quotes(study, cell: pd.DataFrame, n_quotes: int, max_chars: int,
                 spread: str | None = None) -> pd.DataFrame:
    """Pick the ``n_quotes`` most central passages of a cell, preferring distinct voices.

    Candidates are ranked by centrality (ties by passage_id); the greedy pass
    takes a passage only if its informant (and ``spread`` value, e.g. school)
    is new, and a second pass fills any remaining places in rank order.
    """
    cell = cell.copy()
    cell["excerpt"] = [_excerpt_text(study, d, s, e)
                       for d, s, e in zip(cell["doc_id"], cell["start"], cell["end"])]
    cell["centrality"] = _centrality(study, cell["excerpt"].tolist())
    cell = cell.sort_values(["centrality", "passage_id"], ascending=[False, True], kind="mergesort")
    records = cell.to_dict("records")
    chosen, voices, spreads = [], set(), set()
    for pos, row in enumerate(records):
        if len(chosen) == n_quotes:
            break
        if row["informant"] in voices or (spread and row[spread] in spreads):
            continue
        chosen.append(pos)
        voices.add(row["informant"])
        if spread:
            spreads.add(row[spread])
    for pos in range(len(records)):
        if len(chosen) >= n_quotes:
            break
        if pos not in chosen:
            chosen.append(pos)
    picked = cell.iloc[chosen].copy()
    picked["rank"] = range(1, len(picked) + 1)
    picked["quote"] = [trim_quote(t, max_chars) for t in picked["excerpt"]]
    picked["attribution"] = [_attribution(r) for _, r in picked.iterrows()]
    return picked


def framework_matrix(study, by: str | Sequence[str] | None = None, n_quotes: int = 2,
                     coder: str | None = None, codes: Iterable[str] | None = None,
                     max_chars: int = QUOTE_CHARS) -> pd.DataFrame:
    """Framework matrix: the most representative quotes per group and theme, tidy.

    For each group × code cell the candidate quotes are that cell's coded
    passages; the quoted text is the coded stretch of the passage (from the
    first to the last character coded with the code).  Quotes are ranked by
    centrality, the cosine similarity of their TF-IDF vector to the centroid
    of the cell (vocabulary from every passage of the study), ties broken by
    ``passage_id``; where possible the quotes of a cell come from different
    informants.  Quotes are trimmed to ``max_chars`` at a word boundary with
    an ellipsis and attributed by pseudonym and role (``— Ms. X, teacher``),
    by speaker label in a focus group (``— Jaylen, student``).

    Parameters
    ----------
    study : Study
    by : str or list of str, optional
        Default the study's case column (``study.case_column``, ``school`` unless study.yml says otherwise).
    n_quotes : int, default 2
    coder : str, optional
    codes : list of str, optional
        Default the four themes.
    max_chars : int, default 280

    Returns
    -------
    DataFrame
        One row per group × code × quote rank: the ``by`` columns, ``code,
        rank, quote, attribution, passage_id, doc_id, centrality,
        n_passages`` (passages in the cell).  Empty cells have no rows; see
        :func:`framework_wide` for the printable view.

    Examples
    --------
    >>> import plcase
    >>> study = plcase.read_sample()
    >>> fw = framework_matrix(study, n_quotes=1)
    >>> fw[["school", "code", "rank"]].duplicated().any()
    np.False_
    """
    if n_quotes < 1:
        raise PlcaseError(f"n_quotes must be at least 1, got {n_quotes}")
    by_cols = _check_by(study, study.case_column if by is None else by)
    codes = _check_codes(study, codes)
    long = coded_passages(study, coder=coder, codes=codes)
    columns = [*by_cols, "code", "rank", "quote", "attribution", "passage_id", "doc_id",
               "centrality", "n_passages"]
    cells = []
    rows = list(_group_index(study.documents, by_cols)) if by_cols else [()]
    for group in rows:
        key = group if isinstance(group, tuple) else (group,)
        mask = np.ones(len(long), dtype=bool)
        for col, value in zip(by_cols, key):
            mask &= (long[col].isna() if pd.isna(value) else long[col].eq(value)).to_numpy()
        for code in codes:
            cell = long[mask & long["code"].eq(code).to_numpy()]
            if cell.empty:
                continue
            picked = _rank_quotes(study, cell, n_quotes, max_chars)
            picked["n_passages"] = len(cell)
            cells.append(picked[columns])
    if not cells:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return pd.concat(cells, ignore_index=True)


def framework_wide(framework: pd.DataFrame, codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Printable groups × codes view of a framework matrix: quotes with attributions.

    Each cell holds the cell's quotes as ``“quote” — attribution`` lines,
    in rank order; cells without quotes hold an empty string.

    Examples
    --------
    >>> import plcase
    >>> from plcase.matrix import framework_matrix
    >>> wide = framework_wide(framework_matrix(plcase.read_sample(), n_quotes=1))
    >>> wide.index.name
    'school'
    """
    by_cols = [c for c in framework.columns
               if c not in ("code", "rank", "quote", "attribution", "passage_id", "doc_id",
                            "centrality", "n_passages")]
    codes = list(codes) if codes is not None else list(dict.fromkeys(framework["code"]))
    lines = framework.sort_values([*by_cols, "code", "rank"], kind="mergesort").assign(
        line=lambda f: "“" + f["quote"] + "” " + f["attribution"])
    if not by_cols:
        lines = lines.assign(group="all")
        by_cols = ["group"]
    joined = lines.groupby([*by_cols, "code"], sort=False)["line"].agg("\n".join)
    wide = joined.unstack("code")
    order = sorted(wide.index, key=lambda v: tuple(_order_key(c)(x) for c, x in
                                                   zip(by_cols, v if isinstance(v, tuple) else (v,))))
    wide = wide.reindex(index=order, columns=codes).fillna("")
    wide.columns.name = "code"
    return wide


# --------------------------------------------------------------------------- co-occurrence

def cooccurrence(study, measure: str = "count", coder: str | None = None,
                 codes: Iterable[str] | None = None) -> pd.DataFrame:
    """Codes × codes matrix of codes applied to the same passage.

    Parameters
    ----------
    study : Study
    measure : {"count", "jaccard"}
        ``count``: passages carrying both codes (the diagonal is the number
        of passages with the code).  ``jaccard``: that count divided by the
        passages carrying either code (diagonal 1; 0 where neither code occurs).
    coder : str, optional
    codes : list of str, optional
        Default every code of the codebook, in codebook order.

    Returns
    -------
    DataFrame
        Symmetric, index and columns named ``code``.

    Examples
    --------
    >>> import plcase
    >>> m = cooccurrence(plcase.read_sample(), codes=["student_driven", "grow"])
    >>> bool((m.values == m.values.T).all())
    True
    """
    if measure not in ("count", "jaccard"):
        raise PlcaseError(f"unknown measure {measure!r}; choose 'count' or 'jaccard'")
    codes = _check_codes(study, codes, default=None)
    long = coded_passages(study, coder=coder, codes=codes)
    binary = pd.crosstab(long["passage_id"], long["code"]).clip(upper=1)
    binary = binary.reindex(columns=codes, fill_value=0)
    counts = binary.T.to_numpy() @ binary.to_numpy()
    if measure == "count":
        values = counts.astype("int64")
    else:
        totals = np.diag(counts)
        union = totals[:, None] + totals[None, :] - counts
        with np.errstate(invalid="ignore", divide="ignore"):
            values = np.where(union > 0, counts / np.where(union > 0, union, 1), 0.0)
    matrix = pd.DataFrame(values, index=pd.Index(codes, name="code"),
                          columns=pd.Index(codes, name="code_2"))
    matrix.attrs = {"measure": measure, "coder": _check_coder(study, coder)}
    return matrix


# --------------------------------------------------------------------------- glow / grow

def _valenced(study, coder: str, codes: list[str]) -> pd.DataFrame:
    """Distinct (passage, code, valence) where a valence coding overlaps the code's coding.

    Valence is matched on the text, not merely the passage: a passage with a
    glowing stretch about one theme and a grow about another does not give
    each theme both.
    """
    pieces = _pieces(study, coder)
    themes = pieces[pieces["code"].isin(codes)]
    valence = pieces[pieces["code"].isin(study.valence_codes)][["passage_id", "code", "start", "end"]]
    pairs = themes.merge(valence, on="passage_id", suffixes=("", "_v"))
    overlap = (pairs["start"] < pairs["end_v"]) & (pairs["start_v"] < pairs["end"])
    # A zero-length stretch overlaps what contains it.
    overlap |= (pairs["start"] == pairs["end"]) & (pairs["start_v"] <= pairs["start"]) \
        & (pairs["start"] <= pairs["end_v"])
    pairs = pairs[overlap]
    return pairs[["passage_id", "doc_id", "code", "code_v"]].rename(
        columns={"code_v": "valence"}).drop_duplicates().reset_index(drop=True)


def glow_grow(study, by: str | Sequence[str] | None = None, coder: str | None = None,
              codes: Iterable[str] | None = None) -> pd.DataFrame:
    """Glows and grows per group and theme, with a balance, tidy.

    A passage counts as a glow of a theme when a ``glow`` coding overlaps
    that theme's coding within the passage (likewise ``grow``); a passage
    with both counts in both.

    Parameters
    ----------
    study : Study
    by : str or list of str, optional
        Default the study's case column (``study.case_column``, ``school`` unless study.yml says otherwise).
    coder : str, optional
        Default the study's primary coder.
    codes : list of str, optional
        Default the study's theme codes.

    Returns
    -------
    DataFrame
        The study's two valence codes (``study.valence_codes``: the positive
        one first) fill the columns ``glow`` and ``grow``.
        One row per group × code: the ``by`` columns, ``code, n_passages``
        (passages with the code), ``glow, grow`` (passages), and ``balance``
        = (glow − grow) / (glow + grow), from −1 (all grow) to 1 (all glow);
        NaN where there is neither.

    Examples
    --------
    >>> import plcase
    >>> gg = glow_grow(plcase.read_sample())
    >>> gg.columns.tolist()
    ['school', 'code', 'n_passages', 'glow', 'grow', 'balance']
    """
    by_cols = _check_by(study, study.case_column if by is None else by)
    codes = _check_codes(study, codes)
    coder = _check_coder(study, coder)
    valence = _check_valence(study)
    docs = study.documents[["doc_id", *by_cols]]
    valenced = _valenced(study, coder, codes).merge(docs, on="doc_id")
    # The study's positive and negative valence codes fill the glow and grow columns.
    valenced["valence"] = valenced["valence"].map(dict(zip(valence, ("glow", "grow"))))
    valence = ["glow", "grow"]
    counts = (valenced.groupby([*by_cols, "code", "valence"], dropna=False)["passage_id"]
              .nunique().unstack("valence").reindex(columns=list(valence)).fillna(0))
    n_passages = coded_passages(study, coder=coder, codes=codes).groupby(
        [*by_cols, "code"], dropna=False)["passage_id"].nunique()
    rows = _group_index(study.documents, by_cols) if by_cols else pd.Index(["all"], name="_all")
    if not by_cols:
        counts.index = pd.MultiIndex.from_product([["all"], counts.index], names=["_all", "code"]) \
            if len(counts) else counts.index
        n_passages.index = pd.MultiIndex.from_product([["all"], n_passages.index],
                                                      names=["_all", "code"])
    full = pd.MultiIndex.from_tuples(
        [(*(g if isinstance(g, tuple) else (g,)), c) for g in rows for c in codes],
        names=[*rows.names, "code"])
    frame = pd.DataFrame({
        "n_passages": _reindex(n_passages, full),
        "glow": _reindex(counts["glow"], full) if len(counts) else 0,
        "grow": _reindex(counts["grow"], full) if len(counts) else 0,
    }, index=full).astype("int64")
    total = frame["glow"] + frame["grow"]
    frame["balance"] = ((frame["glow"] - frame["grow"]) / total.where(total > 0)).astype(float)
    frame = frame.reset_index()
    return frame.drop(columns=["_all"]) if not by_cols else frame


def _reindex(series: pd.Series, full: pd.MultiIndex) -> pd.Series:
    series = series.copy()
    if len(series):
        series.index = pd.MultiIndex.from_tuples(list(series.index), names=full.names)
    return series.reindex(full).fillna(0)


# --------------------------------------------------------------------------- saturation

def saturation(study, by: str | Sequence[str] | None = "school", order: str = "date",
               coder: str | None = None, codes: Iterable[str] | None = None) -> pd.DataFrame:
    """Cumulative distinct codes observed as documents are added in order, per group.

    A flattening curve suggests the group's documents stopped adding new
    codes (thematic saturation).  Documents are added in ``order`` (a document
    column; ties broken by ``doc_id``).

    Parameters
    ----------
    study : Study
    by : str, list of str or None, default "school"
        None pools the whole study into one curve.
    order : str, default "date"
        Document column giving the order documents were collected.
    coder : str, optional
    codes : list of str, optional
        Default every theme and sub-code of the codebook (not the valence pair).

    Returns
    -------
    DataFrame
        One row per group × document: the ``by`` columns, ``step`` (1, 2, …),
        ``doc_id``, the ``order`` column, ``n_new`` and ``new_codes`` (codes
        first seen in this document, comma-separated, "" if none),
        ``n_codes`` (distinct codes so far) and ``n_code_roles`` (distinct
        code × role pairs so far).

    Examples
    --------
    >>> import plcase
    >>> sat = saturation(plcase.read_sample())
    >>> bool(sat.groupby("school")["n_codes"].is_monotonic_increasing.all())
    True
    """
    by_cols = _check_by(study, by)
    if order not in study.documents.columns:
        raise PlcaseError(f"unknown order column {order!r}; order by a document column: "
                          f"{', '.join(repr(c) for c in study.documents.columns)}")
    if codes is None:
        kinds = study.codebook.set_index("code")["kind"]
        codes = [c for c in study.codes if kinds.get(c) != "valence"]
    codes = _check_codes(study, codes)
    long = coded_passages(study, coder=coder, codes=codes)
    by_doc = long.groupby("doc_id")["code"].agg(lambda s: set(s))
    documents = study.documents.copy()
    documents["_order"] = documents[order].astype(str).where(documents[order].notna(), "")
    groups = _group_index(documents, by_cols) if by_cols else [()]
    rows = []
    for group in groups:
        key = group if isinstance(group, tuple) else (group,)
        docs = documents
        for col, value in zip(by_cols, key):
            docs = docs[docs[col].isna() if pd.isna(value) else docs[col].eq(value)]
        docs = docs.sort_values(["_order", "doc_id"], kind="mergesort")
        seen, seen_roles = set(), set()
        for step, doc in enumerate(docs.itertuples(index=False), start=1):
            found = by_doc.get(doc.doc_id, set())
            new = [c for c in codes if c in found and c not in seen]
            seen |= found
            seen_roles |= {(c, doc.role) for c in found}
            rows.append({**dict(zip(by_cols, key)), "step": step, "doc_id": doc.doc_id,
                         order: getattr(doc, order) if order != "doc_id" else doc.doc_id,
                         "n_new": len(new), "new_codes": ", ".join(new),
                         "n_codes": len(seen), "n_code_roles": len(seen_roles)})
    columns = [*by_cols, "step", "doc_id"] + ([order] if order != "doc_id" else []) + \
        ["n_new", "new_codes", "n_codes", "n_code_roles"]
    frame = pd.DataFrame(rows, columns=columns)
    frame.attrs = {"by": by_cols, "order": order}
    return frame
