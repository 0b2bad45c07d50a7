"""Opening a desktop tool's SQLite project without ever changing it.

QualCoder (``data.qda``) and Taguette (``*.sqlite3``) keep a project in one
SQLite file.  plcase opens it through a ``file:`` URI with ``mode=ro``: SQLite
then refuses every write, so reading can never alter a researcher's project
(not even its modification time).
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path

from plcase.errors import PlcaseInputError

__all__ = ["open_readonly", "table_columns"]

_MAGIC = b"SQLite format 3\x00"


@contextmanager
def open_readonly(path: Path, what: str):
    """Yield a read-only connection to the SQLite file ``path``; closed afterwards."""
    path = Path(path)
    if not path.is_file():
        raise PlcaseInputError(f"no such {what}", path=path, hint="give the path of the project file")
    with path.open("rb") as handle:
        if handle.read(len(_MAGIC)) != _MAGIC:
            raise PlcaseInputError(f"not a {what}: the file is not an SQLite database", path=path,
                                   hint="give the project's database file")
    # as_uri() percent-encodes spaces, '?' and '#' in the path, so no name can inject URI options.
    uri = path.resolve().as_uri() + "?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:  # pragma: no cover - the magic number was checked above
        raise PlcaseInputError(f"cannot open the {what}: {exc}", path=path) from None
    try:
        # Belt and braces on top of mode=ro: no writes from this connection at all, and no
        # SQL functions run from a crafted schema (views, defaults) of an untrusted file.
        connection.execute("PRAGMA query_only = ON")
        connection.execute("PRAGMA trusted_schema = OFF")
        yield connection
    except sqlite3.DatabaseError as exc:
        raise PlcaseInputError(f"the {what} is damaged or not what it seems: {exc}", path=path,
                               hint="open it in its own tool and save it again") from None
    finally:
        connection.close()


def table_columns(connection: sqlite3.Connection) -> dict[str, set[str]]:
    """Every table of the database with its column names."""
    tables = [row[0] for row in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {table: {row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')}
            for table in tables if '"' not in table}
