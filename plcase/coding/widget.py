"""``CodingView``: code a study in JupyterLab (an anywidget; state lives in Python)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import anywidget
import traitlets

from plcase.coding.session import CodingActionError, CodingSession
from plcase.errors import PlcaseError
from plcase.study import Study

__all__ = ["CodingView"]

_STATIC = files("plcase.coding") / "static"


def _folder_of(study: Study, folder) -> Path:
    """The folder to save a Study's codings in (a Study does not know where it was read from)."""
    if folder is None:
        raise PlcaseError("CodingView needs the study folder to save codings: pass "
                          "CodingView(study, coder=..., folder='path/to/study') or the folder itself")
    return Path(folder)


class CodingView(anywidget.AnyWidget):
    """Code the documents of a study folder in JupyterLab.

    One document at a time as its passages; select words with the mouse and
    press a code (click it in the palette or press its number key); click a
    highlight to remove it or write a memo; accept or reject machine
    suggestions (dashed).  Every action is saved to the folder's
    ``codings.csv`` and ``codings-log.jsonl`` before it is shown.

    Parameters
    ----------
    study_or_folder : str, Path or Study
        The study folder (``plcase.read_study`` reads it back), or a Study
        read from ``folder``.
    coder : str
        Your coder name.
    documents : sequence of str, optional
        The ``doc_id`` s to code (default: all).
    suggestions : DataFrame, optional
        Suggestions from :func:`plcase.suggest` or :func:`plcase.to_codings`.
    coders : sequence of str, optional
        Other coders whose codings are shown (read-only).
    folder : str or Path, optional
        Where to save when ``study_or_folder`` is a Study.

    Attributes
    ----------
    session : CodingSession
        The state: ``session.codings_frame()``, ``session.decisions_frame()``.

    Examples
    --------
    >>> import shutil, tempfile, pathlib, plcase
    >>> folder = pathlib.Path(tempfile.mkdtemp()) / "study"
    >>> _ = shutil.copytree(plcase.config.SAMPLE_DIR, folder)
    >>> view = plcase.CodingView(folder, coder="me")
    >>> view.doc_id == view.session.documents[0]
    True
    """

    _esm = _STATIC / "widget.js"
    _css = _STATIC / "widget.css"

    doc_id = traitlets.Unicode("").tag(sync=True)
    view = traitlets.Dict({}).tag(sync=True)
    message = traitlets.Unicode("").tag(sync=True)
    level = traitlets.Unicode("info").tag(sync=True)
    only_uncoded = traitlets.Bool(False).tag(sync=True)
    saved = traitlets.Int(0).tag(sync=True)

    def __init__(self, study_or_folder, coder: str = "", documents=None, suggestions=None,
                 coders=None, folder=None, **kwargs):
        folder = _folder_of(study_or_folder, folder) if isinstance(study_or_folder, Study) \
            else study_or_folder
        self.session = CodingSession(folder, coder, documents=documents,
                                     suggestions=suggestions, coders=coders)
        super().__init__(**kwargs)
        self.doc_id = self.session.documents[0]
        self.on_msg(self._on_message)
        self.observe(lambda _: self._redraw(), names=["doc_id"])
        self._redraw()

    def _redraw(self) -> None:
        self.view = self.session.view(self.doc_id)

    def _say(self, text: str, level: str = "info") -> None:
        with self.hold_sync():  # one update, so the browser never shows a text at the wrong level
            self.message, self.level = text, level

    # The browser sends one message per action; the reply is the redrawn view
    # plus a message, so what is on screen is always what is saved.
    def _on_message(self, _widget, content, _buffers=None) -> None:
        self.handle(content)

    def handle(self, content: dict) -> None:
        """Apply one action as the browser sends it; a refused action becomes the message.

        ``content`` is a dict with ``action`` (``add``, ``remove``, ``memo``,
        ``accept``, ``reject``, ``next``, ``previous``, ``filter``) and its
        fields; offsets of ``add`` are UTF-16 units into the passage text.
        """
        try:
            self._apply(content)
        except CodingActionError as exc:
            self._say(str(exc), "error")
        self._redraw()

    def __repr__(self) -> str:
        s = self.session
        return (f"CodingView(coder={s.coder!r}, document {s.documents.index(self.doc_id) + 1} of "
                f"{len(s.documents)}: {self.doc_id!r}, {len(s.codings)} codings saved)")

    def _apply(self, content: dict) -> None:
        action = content.get("action")
        s = self.session
        if action == "add":
            row = s.add(content.get("doc_id", ""), content.get("passage_id", ""),
                        content.get("start", 0), content.get("end", 0),
                        content.get("text", ""), content.get("code", ""),
                        end_passage_id=content.get("end_passage_id"),
                        end_doc_id=content.get("end_doc_id"))
            text = s.study.texts[row["doc_id"]][row["start"]:row["end"]]
            self._saved(f"coded “{_short(text)}” as {row['code']}")
        elif action == "remove":
            s.remove(self.doc_id, content["start"], content["end"], content["code"])
            self._saved(f"removed {content['code']}")
        elif action == "memo":
            s.memo(self.doc_id, content["start"], content["end"], content["code"],
                   content.get("memo", ""))
            self._saved("memo saved")
        elif action in ("accept", "reject"):
            (s.accept if action == "accept" else s.reject)(content["id"])
            self._saved(f"suggestion {action}ed")
        elif action in ("next", "previous"):
            self.go(1 if action == "next" else -1)
        elif action == "filter":
            self.only_uncoded = bool(content.get("only_uncoded"))
            if self.only_uncoded and self.doc_id not in s.progress()["uncoded"]:
                self.go(1)
        elif action == "error":
            raise CodingActionError(content.get("message", "that did not work"))
        else:
            raise CodingActionError(f"unknown action {action!r}")

    def _saved(self, what: str) -> None:
        self.saved += 1
        self._say(f"saved: {what}", "saved")

    def go(self, step: int) -> None:
        """Move ``step`` documents on (skipping coded ones when ``only_uncoded``)."""
        docs = self.session.documents
        if self.only_uncoded:
            docs = [d for d in docs if d in self.session.progress()["uncoded"] or d == self.doc_id]
        here = docs.index(self.doc_id) if self.doc_id in docs else -1
        target = here + step
        if not 0 <= target < len(docs):
            raise CodingActionError("no more documents that way" if not self.only_uncoded
                                    else "no more uncoded documents that way")
        self.doc_id = docs[target]
        self._say(f"document {self.doc_id}")


def _short(text: str, size: int = 40) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"
