"""Tag the texts of any frame — pandas in memory, or Dask partitions on a cluster.

A state survey does not fit one laptop, but tagging is embarrassingly
parallel: a fitted tagger is a picklable scikit-learn estimator, so each
partition of a :class:`dask.dataframe.DataFrame` is tagged on its own with
:func:`dask.dataframe.map_partitions`, on threads, processes or a
``distributed`` cluster alike. Install the optional extra with
``pip install plcase[dask]``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from plcase.errors import PlcaseError
from plcase.evaluate import tags_and_scores

__all__ = ["tag_frame"]


def tag_frame(tagger, frame, text: str = "text", *, score_suffix: str = "_score",
              progress: bool | None = None):
    """Add a fitted tagger's tags and scores to a frame of texts.

    Parameters
    ----------
    tagger : fitted RuleTagger, ModelTagger or any estimator with the same signature
    frame : pandas.DataFrame or dask.dataframe.DataFrame
        One row per text (a survey answer, a passage). With a Dask frame each
        partition is tagged separately (``map_partitions``) and a lazy Dask
        frame is returned: call ``.compute()`` (or write it with
        ``.to_parquet``) to run it on the active scheduler or cluster.
    text : str, default "text"
        The column holding the texts; missing texts are tagged as empty texts
        (no code), and no row is dropped.
    score_suffix : str, default "_score"
        Suffix of the score columns.
    progress : bool, optional
        Show a progress bar (pandas frames only; see :mod:`plcase.progress`).

    Returns
    -------
    DataFrame
        ``frame`` with, for each code of ``tagger.classes_``, a 0/1 column
        named after the code and its score in ``<code><score_suffix>``.

    Examples
    --------
    >>> import plcase
    >>> rules = plcase.RuleTagger(plcase.read_sample().codebook).fit()
    >>> answers = pd.DataFrame({"id": [1, 2], "text": ["Our coach models a lesson.", None]})
    >>> tagged = tag_frame(rules, answers)
    >>> tagged["embedded_pd"].tolist(), tagged["embedded_pd_score"].tolist()
    ([1, 0], [0.75, 0.0])
    """
    check_is_fitted(tagger)
    if text not in frame.columns:
        raise PlcaseError(f"the frame has no text column {text!r}; its columns are "
                          f"{list(frame.columns)}; pass text=<the column of the texts>")
    classes = [str(c) for c in tagger.classes_]
    added = classes + [c + score_suffix for c in classes]
    clash = [c for c in added if c in frame.columns]
    if clash:
        raise PlcaseError(f"the frame already has column(s) {clash}; rename them or pass "
                          f"another score_suffix")
    if type(frame).__module__.split(".")[0] == "dask":
        meta = _tag_partition(frame._meta, tagger, text, classes, score_suffix, False)
        return frame.map_partitions(_tag_partition, tagger, text, classes, score_suffix, False,
                                    meta=meta)
    return _tag_partition(frame, tagger, text, classes, score_suffix, progress)


def _tag_partition(frame: pd.DataFrame, tagger, text: str, classes: list[str],
                   score_suffix: str, progress) -> pd.DataFrame:
    texts = [t if isinstance(t, str) else "" for t in frame[text].tolist()]
    if texts:
        pred, score = tags_and_scores(tagger, texts, progress=progress)
    else:
        pred = np.zeros((0, len(classes)), dtype=np.int8)
        score = np.zeros((0, len(classes)))
    out = frame.copy()
    for k, code in enumerate(classes):
        out[code] = np.asarray(pred[:, k], dtype=np.int8)
    for k, code in enumerate(classes):
        out[code + score_suffix] = np.asarray(score[:, k], dtype=float)
    return out
