"""Progress bars for long steps (tqdm), off wherever output is compared or logged.

A bar is shown when ``progress=True`` is passed, or when ``progress`` is left
at ``None`` and all of these hold: the environment variable ``PLCASE_PROGRESS``
is not ``0`` (``1`` forces bars on), standard error is a terminal, and the
code does not run under pytest or nbval (whose compared outputs must not
change). Bars go to standard error, never into a returned frame.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Iterable

__all__ = ["progress_enabled", "progress_bar", "progress_items"]


def progress_enabled(progress: bool | None = None) -> bool:
    """Whether to show a progress bar (see the module notes).

    Examples
    --------
    >>> progress_enabled(False)
    False
    >>> progress_enabled()  # under pytest: off
    False
    """
    if progress is not None:
        return bool(progress)
    setting = os.environ.get("PLCASE_PROGRESS", "").strip().lower()
    if setting in ("0", "false", "no", "off"):
        return False
    if setting in ("1", "true", "yes", "on"):
        return True
    if "PYTEST_CURRENT_TEST" in os.environ or "pytest" in sys.modules:
        return False
    stream = sys.stderr
    return bool(stream is not None and hasattr(stream, "isatty") and stream.isatty())


def progress_bar(batches: Iterable[tuple[int, int]], total: int, desc: str,
                 progress: bool | None = None):
    """Yield ``(lo, hi)`` batches, advancing a tqdm bar by ``hi - lo`` passages.

    Examples
    --------
    >>> list(progress_bar([(0, 2), (2, 3)], 3, "demo", progress=False))
    [(0, 2), (2, 3)]
    """
    if not progress_enabled(progress):
        yield from batches
        return
    with _tqdm()(total=total, desc=desc, unit="passage", file=sys.stderr) as bar:
        for lo, hi in batches:
            yield lo, hi
            bar.update(hi - lo)


def progress_items(items: list, desc: str, progress: bool | None = None, *, unit: str = "file"):
    """Iterate over ``items`` with a tqdm bar (when enabled and there are more than 50).

    Examples
    --------
    >>> list(progress_items(["a.txt", "b.txt"], "reading", progress=False))
    ['a.txt', 'b.txt']
    """
    if len(items) <= 50 or not progress_enabled(progress):
        return iter(items)
    return iter(_tqdm()(items, desc=desc, unit=unit, file=sys.stderr))


def _tqdm():
    """tqdm's notebook bar in Jupyter (with ipywidgets), its text bar elsewhere.

    Imported here, when a bar is about to be shown, not at module level:
    importing ``tqdm.auto`` inside a Jupyter kernel without ipywidgets warns at
    import time, and that warning would land in every notebook's output (and
    break nbval) the moment ``import plcase`` runs.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from tqdm.auto import tqdm
    return tqdm
