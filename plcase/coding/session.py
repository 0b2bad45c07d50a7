"""The state of a coding session, in pure Python (the widget only draws it).

A :class:`CodingSession` holds one coder's editable codings of a study folder,
the machine suggestions and the decisions on them, and turns each action
(add, remove, memo, accept, reject) into a checked change that is written to
the folder at once (:mod:`plcase.coding.store`) before it is shown.  A bad
action raises :class:`CodingActionError` and changes nothing.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from plcase.coding import store
from plcase.coding.offsets import from_utf16, to_utf16
from plcase.errors import PlcaseError
from plcase.io import read_study
from plcase.io.standoff import read_codings_csv
from plcase.schema import coding_frame
from plcase.study import Study

__all__ = ["CodingSession", "CodingActionError", "OKABE_ITO"]

#: Okabe & Ito's colour-blind-safe palette (black left out: text is black).
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
             "#999999")
_KEY = ("doc_id", "start", "end", "code")


class CodingActionError(PlcaseError):
    """An action the session refused; the message says why and what to do."""


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds")


class CodingSession:
    """One coder coding a study folder: state, checks and saving.

    Parameters
    ----------
    folder : str or Path
        The study folder (its ``codings.csv`` and ``codings-log.jsonl`` are
        written).
    coder : str
        The researcher's coder name; their rows in ``codings.csv`` are the
        ones this session edits.
    documents : sequence of str, optional
        The ``doc_id`` s to code, in order (default: every document).
    suggestions : DataFrame, optional
        Machine suggestions: rows of the codings frame (from
        :func:`plcase.to_codings`) or the output of :func:`plcase.suggest`
        (whole passages by ``passage_id``).
    coders : sequence of str, optional
        Further coders whose codings are shown (read-only) beside the
        researcher's own.

    Examples
    --------
    >>> import shutil, tempfile, pathlib, plcase
    >>> folder = pathlib.Path(tempfile.mkdtemp()) / "study"
    >>> _ = shutil.copytree(plcase.config.SAMPLE_DIR, folder)
    >>> session = CodingSession(folder, coder="me")
    >>> passage = session.study.passages.iloc[1]
    >>> text = session.study.texts[passage.doc_id][passage.start:passage.end]
    >>> row = session.add(passage.doc_id, passage.passage_id, 0, 4, text[:4], "glow")
    >>> reread = plcase.read_study(folder).codings
    >>> reread[reread.coder == "me"][["start", "end", "code"]].values.tolist() == [[passage.start, passage.start + 4, "glow"]]
    True
    """

    def __init__(self, folder, coder: str, documents: Sequence[str] | None = None,
                 suggestions: pd.DataFrame | None = None, coders: Sequence[str] | None = None):
        if not isinstance(coder, str) or not coder.strip():
            raise CodingActionError("the coder name is empty: give your name, e.g. coder=\"ana\"")
        if coder != coder.strip() or "," in coder:
            raise CodingActionError(f"the coder name {coder!r} has surrounding spaces or a comma: "
                                    "use a plain name such as \"ana\"")
        self.folder = Path(folder)
        self.coder = coder
        self.study: Study = read_study(self.folder)
        known = self.study.documents["doc_id"].tolist()
        self.documents = list(documents) if documents is not None else known
        unknown = [d for d in self.documents if d not in known]
        if unknown:
            raise CodingActionError(f"unknown document(s) {', '.join(map(repr, unknown))}: "
                                    f"use doc_ids of {self.folder}")
        self.codes = self.study.codes
        self.coders = [c for c in (coders or []) if c != coder]
        self.colours = self._colours()
        self.codings = self._own_codings()
        self.locked = self._locked_codings()
        self.suggestions = self._suggestions(suggestions)
        self.decisions = self._past_decisions()

    # ---- reading -------------------------------------------------------------------------
    def _colours(self) -> dict[str, str]:
        book = self.study.codebook
        column = next((c for c in ("color", "colour") if c in book.columns), None)
        colours = {}
        for i, code in enumerate(self.codes):
            given = book[column].iloc[i] if column else None
            colours[code] = given if isinstance(given, str) and given else OKABE_ITO[i % len(OKABE_ITO)]
        return colours

    def _own_codings(self) -> list[dict]:
        path = self.folder / store.CODINGS_FILE
        if not path.exists():
            return []
        frame = read_codings_csv(path, self.study.texts, set(self.codes))
        frame = frame[frame["coder"] == self.coder]
        return [{"doc_id": r.doc_id, "start": int(r.start), "end": int(r.end), "code": r.code,
                 "memo": r.memo if isinstance(r.memo, str) else ""} for r in frame.itertuples()]

    def _locked_codings(self) -> pd.DataFrame:
        """Codings shown but not editable: other coders', and own ones made in the files."""
        codings = self.study.codings
        own = {tuple(c[k] for k in _KEY) for c in self.codings}
        mine = codings["coder"] == self.coder
        in_csv = [tuple(r) in own for r in codings[list(_KEY)].itertuples(index=False)]
        keep = codings["coder"].isin(self.coders) | (mine & ~pd.Series(in_csv, index=codings.index))
        return codings[keep]

    def _suggestions(self, suggestions) -> pd.DataFrame:
        columns = ["suggestion_id", "doc_id", "start", "end", "code", "coder", "score"]
        if suggestions is None or len(suggestions) == 0:
            return pd.DataFrame(columns=columns)
        frame = suggestions.copy()
        if "start" not in frame.columns:
            spans = self.study.passages.set_index("passage_id")[["start", "end"]]
            frame = frame.join(spans, on="passage_id")
        if "coder" not in frame.columns:
            frame["coder"] = "auto:suggest"
        if "score" not in frame.columns:
            frame["score"] = frame["probability"] if "probability" in frame.columns else float("nan")
        unknown = sorted(set(frame["code"]) - set(self.codes))
        if unknown:
            raise CodingActionError(f"suggested code(s) {', '.join(unknown)} are not in the codebook")
        frame = frame[frame["doc_id"].isin(self.documents)]
        frame = frame.drop_duplicates(["doc_id", "start", "end", "code"]).reset_index(drop=True)
        frame["start"], frame["end"] = frame["start"].astype(int), frame["end"].astype(int)
        frame["suggestion_id"] = [f"s{i}" for i in range(len(frame))]
        return frame[columns]

    def _past_decisions(self) -> dict[str, str]:
        """Decisions already logged by this coder, so a decided suggestion stays decided."""
        decided = {}
        by_key = {(r.doc_id, r.start, r.end, r.code): r.suggestion_id
                  for r in self.suggestions.itertuples()}
        for entry in store.read_log(self.folder):
            if entry.get("coder") == self.coder and entry.get("action") in ("accepted", "rejected"):
                key = (entry["doc_id"], entry["start"], entry["end"], entry["code"])
                if key in by_key:
                    decided[by_key[key]] = entry["action"]
        return decided

    # ---- checks ------------------------------------------------------------------------
    def _passage(self, passage_id: str):
        rows = self.study.passages[self.study.passages["passage_id"] == passage_id]
        if rows.empty:
            raise CodingActionError(f"unknown passage {passage_id!r}")
        return rows.iloc[0]

    def _check_code(self, code: str) -> None:
        if code not in self.codes:
            raise CodingActionError(f"code {code!r} is not in the codebook: pick one of "
                                    f"{', '.join(self.codes)} (or add it to codebook.yml)")

    def _find(self, doc_id, start, end, code) -> int:
        for i, c in enumerate(self.codings):
            if (c["doc_id"], c["start"], c["end"], c["code"]) == (doc_id, int(start), int(end), code):
                return i
        raise CodingActionError(f"{self.coder} has no coding {code!r} at [{start}, {end}) of "
                                f"{doc_id!r} in codings.csv (codings made in the transcript "
                                "files are edited there)")

    # ---- saving ------------------------------------------------------------------------
    def _commit(self, codings: list[dict], entry: dict) -> None:
        """Write ``codings`` and log ``entry``; only then make them the state."""
        try:
            store.write_coder_codings(self.folder, self.coder, codings)
            store.append_log(self.folder, {"time": _now(), "coder": self.coder, **entry})
        except OSError as exc:
            raise CodingActionError(f"could not save to {self.folder} ({exc.strerror or exc}): "
                                    "the folder is read-only or full; nothing was changed — "
                                    "copy the study to a folder you can write to") from exc
        self.codings = codings

    # ---- actions -----------------------------------------------------------------------
    def add(self, doc_id: str, passage_id: str, start16: int, end16: int, selected: str,
            code: str, end_passage_id: str | None = None, end_doc_id: str | None = None) -> dict:
        """Code a selection made in the browser.

        ``start16``/``end16`` are UTF-16 offsets into the passage's text (as
        the browser counts) and ``selected`` the selected string; both are
        checked against the document before anything is saved.  Leading and
        trailing white space is left out of the coding.
        """
        self._check_code(code)
        if end_doc_id is not None and end_doc_id != doc_id:
            raise CodingActionError("the selection runs across two documents: select words "
                                    "within one document")
        if end_passage_id is not None and end_passage_id != passage_id:
            raise CodingActionError("the selection runs across two passages: select words within "
                                    "one speaker's passage and code each passage on its own")
        passage = self._passage(passage_id)
        if passage.doc_id != doc_id or doc_id not in self.documents:
            raise CodingActionError(f"passage {passage_id!r} is not in document {doc_id!r}")
        text = self.study.texts[doc_id]
        ptext = text[passage.start:passage.end]
        try:
            start = passage.start + from_utf16(ptext, int(start16))
            end = passage.start + from_utf16(ptext, int(end16))
        except ValueError as exc:
            raise CodingActionError(f"the selection does not fit the passage ({exc})") from exc
        if text[start:end] != selected:
            raise CodingActionError("the selected words do not match the document at that place: "
                                    "reload the view and select again")
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start >= end:
            raise CodingActionError("nothing is selected: select words with the mouse, then "
                                    "press a code")
        return self._add_span(doc_id, start, end, code, {"action": "added"})

    def _add_span(self, doc_id, start, end, code, entry) -> dict:
        row = {"doc_id": doc_id, "start": int(start), "end": int(end), "code": code, "memo": ""}
        if any(all(c[k] == row[k] for k in _KEY) for c in self.codings):
            raise CodingActionError(f"{self.coder} already coded these words {code!r}")
        self._commit(self.codings + [row], {**entry, **{k: row[k] for k in _KEY}})
        return row

    def remove(self, doc_id: str, start: int, end: int, code: str) -> None:
        """Remove one of the coder's codings."""
        i = self._find(doc_id, start, end, code)
        row = self.codings[i]
        self._commit(self.codings[:i] + self.codings[i + 1:],
                     {"action": "removed", **{k: row[k] for k in _KEY}})

    def memo(self, doc_id: str, start: int, end: int, code: str, memo: str) -> None:
        """Write (or clear, with ``""``) the memo of one of the coder's codings."""
        i = self._find(doc_id, start, end, code)
        row = {**self.codings[i], "memo": memo.strip()}
        self._commit(self.codings[:i] + [row] + self.codings[i + 1:],
                     {"action": "memo", "memo": row["memo"], **{k: row[k] for k in _KEY}})

    def _suggestion(self, suggestion_id: str):
        rows = self.suggestions[self.suggestions["suggestion_id"] == suggestion_id]
        if rows.empty:
            raise CodingActionError(f"unknown suggestion {suggestion_id!r}")
        if suggestion_id in self.decisions:
            raise CodingActionError(f"this suggestion was already {self.decisions[suggestion_id]}")
        return rows.iloc[0]

    def accept(self, suggestion_id: str) -> None:
        """Accept a suggestion: it becomes the coder's own coding; the decision is logged."""
        s = self._suggestion(suggestion_id)
        entry = {"action": "accepted", "suggested_by": s.coder,
                 "score": None if pd.isna(s.score) else float(s.score)}
        row = {"doc_id": s.doc_id, "start": int(s.start), "end": int(s.end), "code": s.code, "memo": ""}
        exists = any(all(c[k] == row[k] for k in _KEY) for c in self.codings)
        codings = self.codings if exists else self.codings + [row]
        self._commit(codings, {**entry, **{k: row[k] for k in _KEY}})
        self.decisions[suggestion_id] = "accepted"

    def reject(self, suggestion_id: str) -> None:
        """Reject a suggestion (logged; nothing is coded)."""
        s = self._suggestion(suggestion_id)
        self._commit(self.codings, {"action": "rejected", "suggested_by": s.coder,
                                    "score": None if pd.isna(s.score) else float(s.score),
                                    "doc_id": s.doc_id, "start": int(s.start), "end": int(s.end),
                                    "code": s.code})
        self.decisions[suggestion_id] = "rejected"

    # ---- frames ------------------------------------------------------------------------
    def codings_frame(self) -> pd.DataFrame:
        """The coder's editable codings as rows of the codings frame."""
        rows = [{**c, "coder": self.coder, "memo": c["memo"] or None} for c in self.codings]
        return self.study.with_codings(coding_frame(rows)).codings.query("coder == @self.coder") \
            if rows else coding_frame([])

    def decisions_frame(self) -> pd.DataFrame:
        """Every suggestion with the coder's decision (``accepted``, ``rejected`` or ``open``)."""
        frame = self.suggestions.copy()
        frame["decision"] = [self.decisions.get(s, "open") for s in frame["suggestion_id"]]
        return frame

    def log_frame(self) -> pd.DataFrame:
        """The folder's action log (every coder's), one row per action, oldest first."""
        columns = ["time", "coder", "action", "doc_id", "start", "end", "code", "memo",
                   "suggested_by", "score"]
        log = pd.DataFrame(store.read_log(self.folder))
        return log.reindex(columns=columns + [c for c in log.columns if c not in columns])

    def progress(self) -> dict:
        """Documents and passages left to code (without any coding by the coder)."""
        coded = {}
        for c in self.codings:
            coded.setdefault(c["doc_id"], []).append((c["start"], c["end"]))
        for r in self.locked[self.locked["coder"] == self.coder].itertuples():
            coded.setdefault(r.doc_id, []).append((r.start, r.end))
        passages = self.study.passages[self.study.passages["doc_id"].isin(self.documents)]
        left = sum(not any(s < p.end and e > p.start for s, e in coded.get(p.doc_id, []))
                   for p in passages.itertuples())
        docs_left = [d for d in self.documents if d not in coded]
        return {"documents": len(self.documents), "documents_left": len(docs_left),
                "passages": len(passages), "passages_left": int(left), "uncoded": docs_left}

    def view(self, doc_id: str) -> dict:
        """What the browser draws for one document, offsets in UTF-16 units per passage."""
        text = self.study.texts[doc_id]
        meta = self.study.documents.set_index("doc_id").loc[doc_id]
        marks = [dict(c, coder=self.coder, kind="own") for c in self.codings if c["doc_id"] == doc_id]
        for r in self.locked[self.locked["doc_id"] == doc_id].itertuples():
            marks.append({"doc_id": doc_id, "start": int(r.start), "end": int(r.end), "code": r.code,
                          "coder": r.coder, "kind": "locked",
                          "memo": r.memo if isinstance(r.memo, str) else ""})
        for r in self.suggestions[self.suggestions["doc_id"] == doc_id].itertuples():
            marks.append({"doc_id": doc_id, "start": r.start, "end": r.end, "code": r.code,
                          "coder": r.coder, "kind": "suggestion", "id": r.suggestion_id,
                          "decision": self.decisions.get(r.suggestion_id, "open"),
                          "score": None if pd.isna(r.score) else round(float(r.score), 2)})
        passages = []
        for p in self.study.passages[self.study.passages["doc_id"] == doc_id].itertuples():
            ptext = text[p.start:p.end]
            inside = []
            for m in marks:
                s, e = max(m["start"], p.start), min(m["end"], p.end)
                if s < e:
                    inside.append({**m, "from": to_utf16(ptext, s - p.start),
                                   "to": to_utf16(ptext, e - p.start)})
            passages.append({"passage_id": p.passage_id, "speaker": p.speaker or "",
                             "text": ptext, "marks": inside})
        book = self.study.codebook.set_index("code")
        palette = [{"code": c, "key": str((i + 1) % 10) if i < 10 else "",
                    "colour": self.colours[c],
                    "label": book.loc[c, "label"] if isinstance(book.loc[c, "label"], str) else c,
                    "definition": book.loc[c, "definition"]
                    if isinstance(book.loc[c, "definition"], str) else ""}
                   for i, c in enumerate(self.codes)]
        title = " · ".join(str(meta[c]) for c in ("school", "source", "role")
                           if c in meta.index and isinstance(meta[c], str))
        return {"doc_id": doc_id, "title": title, "passages": passages, "palette": palette,
                "coder": self.coder, "position": self.documents.index(doc_id) + 1,
                "progress": self.progress()}
