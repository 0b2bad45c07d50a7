"""Writing a coder's codings to ``codings.csv`` and actions to the log, safely.

``codings.csv`` is shared by every coder of a study folder.  A write re-reads
the file under an exclusive lock, replaces only the rows of the coder who is
writing, and swaps the new file in atomically (temporary file in the same
folder, ``fsync``, ``os.replace``), so two researchers coding the same folder
never overwrite each other's rows and a crash leaves either the old or the new
file, never half of one.  The action log is append-only JSON lines, flushed
and synced after every entry.
"""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from pathlib import Path

from plcase.io.standoff import _ALIASES, STANDOFF_COLUMNS

__all__ = ["CODINGS_FILE", "LOG_FILE", "write_coder_codings", "append_log", "read_log"]

CODINGS_FILE = "codings.csv"
LOG_FILE = "codings-log.jsonl"
_LOCK_FILE = ".codings.csv.lock"


@contextmanager
def _locked(folder: Path):
    """Hold an exclusive lock on the folder's codings (blocks other writers)."""
    with open(folder / _LOCK_FILE, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _normalised(name: str) -> str:
    name = name.strip().lower().replace(" ", "_")
    return _ALIASES.get(name, name)


def write_coder_codings(folder: str | Path, coder: str, rows: Iterable[Mapping]) -> Path:
    """Replace ``coder``'s rows of ``folder/codings.csv`` with ``rows``.

    Rows of other coders are kept as they are in the file (same header, same
    cells).  ``rows`` hold ``doc_id, start, end, code`` and optionally ``memo``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = write_coder_codings(folder, "ana", [{"doc_id": "d1", "start": 0, "end": 5, "code": "glow"}])
    >>> _ = write_coder_codings(folder, "ben", [{"doc_id": "d1", "start": 6, "end": 9, "code": "grow"}])
    >>> print((folder / "codings.csv").read_text().strip())
    doc_id,start,end,code,coder,memo
    d1,0,5,glow,ana,
    d1,6,9,grow,ben,
    """
    folder = Path(folder)
    target = folder / CODINGS_FILE
    with _locked(folder):
        header, kept = list(STANDOFF_COLUMNS), []
        if target.exists() and target.read_text(encoding="utf-8-sig").strip():
            records = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
            header = records[0]
            names = [_normalised(h) for h in header]
            if "memo" not in names:
                header, names = header + ["memo"], names + ["memo"]
            at = names.index("coder")
            for record in records[1:]:
                if not any(cell.strip() for cell in record):
                    continue
                record = record + [""] * (len(header) - len(record))
                if record[at].strip() != coder:
                    kept.append(record)
        else:
            names = list(header)
        for row in rows:
            values = {"doc_id": row["doc_id"], "start": int(row["start"]), "end": int(row["end"]),
                      "code": row["code"], "coder": coder, "memo": row.get("memo") or ""}
            kept.append([values.get(name, "") for name in names])
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(kept)
        handle, temp = tempfile.mkstemp(prefix=".codings-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                out.write(buffer.getvalue())
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, target)
        except BaseException:
            if os.path.exists(temp):
                os.unlink(temp)
            raise
    return target


def append_log(folder: str | Path, entry: Mapping) -> None:
    """Append one action to ``folder/codings-log.jsonl`` and sync it to disk."""
    line = json.dumps(dict(entry), ensure_ascii=False, sort_keys=True) + "\n"
    with open(Path(folder) / LOG_FILE, "a", encoding="utf-8") as log:
        log.write(line)
        log.flush()
        os.fsync(log.fileno())


def read_log(folder: str | Path) -> list[dict]:
    """Every action in the folder's log, oldest first (empty when there is no log)."""
    path = Path(folder) / LOG_FILE
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
