"""A hand-built two-school study whose counts were worked out by hand.

Grand Oak: a teacher interview and a student focus group; Ridge Road: an
administrator interview and an uncoded site visit.  Shared by the matrix and
recommendation tests.
"""

from __future__ import annotations

import pandas as pd

from plcase.study import Study

# Two schools.  Grand Oak: a teacher interview and a student focus group; Ridge Road: an
# administrator interview and an uncoded site visit.  Counts below were worked out by hand.
DOCS = [
    dict(doc_id="GO-T1", school="Grand Oak", source="interview", role="teacher",
         participant="Ms. Avery", date="2017-01-10",
         turns=[("INTERVIEWER", "How do teachers learn here?"),
                ("AVERY", "Our coach meets us every Wednesday. We plan together and it works."),
                ("AVERY", "Playlists are hard. Some kids drift.")]),
    dict(doc_id="GO-S1", school="Grand Oak", source="focus_group", role="student",
         participant="Grand Oak 5th-grade focus group", date="2017-01-12",
         turns=[("INTERVIEWER", "What do you pick?"),
                ("KAI", "I pick my station and I love it."),
                ("LEE", "I pick too, and I set my own goal.")]),
    dict(doc_id="RR-A1", school="Ridge Road", source="interview", role="administrator",
         participant="Dr. Bell", date="2017-02-01",
         turns=[("INTERVIEWER", "Tell me about failure."),
                ("BELL", "We share our flops every Monday. Nobody keeps score."),
                ("BELL", "Kids still wait for us. The advisory helps them feel known.")]),
    dict(doc_id="RR-V1", school="Ridge Road", source="site_visit", role="observer",
         participant="J. Observer", date="2017-02-02",
         turns=[(None, "Visited the media center before first period.")]),
]

CODINGS = [  # (doc_id, snippet, code, coder)
    ("GO-T1", "Our coach meets us every Wednesday", "embedded_pd", "coder_a"),
    ("GO-T1", "We plan together and it works", "embedded_pd", "coder_a"),
    ("GO-T1", "We plan together and it works", "glow", "coder_a"),
    # spans the end of passage 1 and the start of passage 2: counts in both
    ("GO-T1", "it works.\nAVERY: Playlists are hard", "student_driven", "coder_a"),
    ("GO-T1", "Playlists are hard", "grow", "coder_a"),
    ("GO-T1", "Our coach meets us every Wednesday", "embedded_pd", "coder_b"),
    ("GO-S1", "I pick my station and I love it", "student_driven", "coder_a"),
    ("GO-S1", "I pick my station and I love it", "glow", "coder_a"),
    ("GO-S1", "I pick too, and I set my own goal", "student_driven", "coder_a"),
    ("GO-S1", "I set my own goal", "student_ownership", "coder_a"),
    ("RR-A1", "We share our flops every Monday", "shared_culture", "coder_a"),
    ("RR-A1", "We share our flops every Monday", "glow", "coder_a"),
    # one passage, two themes with opposite valence: valence must not leak across them
    ("RR-A1", "Kids still wait for us.", "student_driven", "coder_a"),
    ("RR-A1", "Kids still wait for us.", "grow", "coder_a"),
    ("RR-A1", "The advisory helps them feel known.", "whole_child_sel", "coder_a"),
    ("RR-A1", "The advisory helps them feel known.", "glow", "coder_a"),
]

CODEBOOK = pd.DataFrame({
    "code": ["shared_culture", "embedded_pd", "student_driven", "student_ownership",
             "whole_child_sel", "glow", "grow"],
    "kind": ["theme", "theme", "theme", "subcode", "theme", "valence", "valence"],
})


def build_study(docs=DOCS, codings=CODINGS) -> Study:
    documents, passages, texts, rows = [], [], {}, []
    for doc in docs:
        lines, offset = [], 0
        for k, (speaker, said) in enumerate(doc["turns"]):
            line = said if speaker is None else f"{speaker}: {said}"
            passages.append(dict(passage_id=f"{doc['doc_id']}:{k:03d}", doc_id=doc["doc_id"],
                                 speaker=speaker, start=offset, end=offset + len(line), text=line))
            lines.append(line)
            offset += len(line) + 1
        texts[doc["doc_id"]] = "\n".join(lines)
        meta = {k: v for k, v in doc.items() if k != "turns"}
        documents.append(dict(meta, n_words=len(texts[doc["doc_id"]].split()), synthetic=True))
    for doc_id, snippet, code, coder in codings:
        start = texts[doc_id].index(snippet)
        rows.append(dict(doc_id=doc_id, start=start, end=start + len(snippet), code=code, coder=coder))
    return Study(documents=pd.DataFrame(documents), passages=pd.DataFrame(passages),
                 codings=pd.DataFrame(rows), codebook=CODEBOOK, texts=texts)
