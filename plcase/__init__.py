"""plcase: reproducible qualitative case studies in JupyterLab.

Load transcripts and their codes as tidy frames, tag passages with transparent
rules or models trained on the human codes, measure agreement between any
coders, build cross-case matrices and export publication figures and tables.

Examples
--------
>>> import plcase
>>> study = plcase.read_sample()
>>> len(study.documents) >= 18
True
"""

from plcase import config
from plcase.codebook import read_codebook
from plcase.describe import coding_counts, corpus_table
from plcase.errors import PlcaseError, PlcaseInputError, PlcaseWarning
from plcase.io import read_sample, read_study
from plcase.segment import sentence_frame, sentence_spans, sentences
from plcase.study import Study

__version__ = "0.1.0"

__all__ = [
    "config", "read_codebook", "coding_counts", "corpus_table", "PlcaseError", "PlcaseInputError", "PlcaseWarning",
    "read_sample", "read_study", "sentence_frame", "sentence_spans", "sentences", "Study",
]
