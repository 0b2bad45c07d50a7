"""Reading a district survey: ``read_responses`` against the floor of parsing and tokenizing.

The workload of issue 14: 147,000 students, two open answers each (about 10 % of
second answers blank), school / grade band / cohort columns, written as a CSV
from a seeded vocabulary.  The floor, measured in the same run, is what any
reader must do: ``pandas.read_csv`` of the file plus one compiled-regex
tokenize of every answer.  The goal is under 5 s for ``read_responses``.

Run: ``python benchmarks/bench_read_responses.py [n_students]``
"""

from __future__ import annotations

import csv
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from plcase.io.responses import read_responses

WORDS = ("the my teacher helps me learn math reading because we can pick our playlist and "
         "goals it's student-driven time more less noise calm corner friends coach").split()


def write_survey(path: Path, n_students: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "school", "grade_band", "cohort", "q_like", "q_change"])
        for i in range(n_students):
            first = " ".join(rng.choice(WORDS, rng.integers(5, 40))) + ", really."
            second = "" if rng.random() < 0.1 else " ".join(rng.choice(WORDS,
                                                                        rng.integers(3, 30)))
            writer.writerow([f"S{i:06d}", f"School {i % 168}",
                             ["K-2", "3-5", "6-8", "9-12"][i % 4], str(1 + i % 3), first,
                             second])


def main(n_students: int = 147_000) -> None:
    path = Path(tempfile.mkdtemp()) / "district.csv"
    write_survey(path, n_students)
    started = time.perf_counter()
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    word = re.compile(r"\w+(?:['’\-]\w+)*")
    for column in ("q_like", "q_change"):
        for answer in frame[column]:
            word.findall(answer)
    floor = time.perf_counter() - started
    started = time.perf_counter()
    study = read_responses(path, text=["q_like", "q_change"], id="student_id",
                           meta=["school", "grade_band", "cohort"])
    seconds = time.perf_counter() - started
    print(f"students: {n_students:,}; answers read: {len(study.passages):,}")
    print(f"floor (read_csv + tokenize): {floor:.2f} s")
    print(f"read_responses: {seconds:.2f} s ({seconds / floor:.1f}x the floor; goal < 5 s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 147_000)
