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
from plcase.agreement import (agreement, brennan_prediger, cohen_kappa, confusion,
                              disagreements, fleiss_kappa, gwet_ac1, krippendorff_alpha,
                              percent_agreement, units)
from plcase.codebook import read_codebook
from plcase.context import read_dataset, rollout_table
from plcase.describe import coding_counts, corpus_table
from plcase.embedding import EmbeddingTagger
from plcase.errors import PlcaseError, PlcaseInputError, PlcaseWarning
from plcase.evaluate import (compare_taggers, cross_val_codings, evaluate_tagger,
                             human_agreement, score_labelled_texts, suggest,
                             to_codings, training_set)
from plcase.figures.export import save_figure, save_table
from plcase.io import read_sample, read_study
from plcase.io.qdpx import read_qdc, read_qdpx, write_qdc, write_qdpx
from plcase.io.responses import read_responses
from plcase.matrix import (cooccurrence, framework_matrix, framework_wide, glow_grow, saturation,
                           theme_matrix, to_long)
from plcase.recommend import read_recommendations, recommendations, recommendations_markdown
from plcase.segment import sentence_frame, sentence_spans, sentences
from plcase.study import Study
from plcase.taggers import ModelTagger, RuleTagger
from plcase.validate import lint_study

__version__ = "0.1.0"

__all__ = [
    # data
    "config", "Study", "read_sample", "read_study", "read_codebook", "read_dataset",
    "read_qdpx", "write_qdpx", "read_qdc", "write_qdc", "read_responses", "lint_study",
    "sentences", "sentence_spans", "sentence_frame", "corpus_table", "coding_counts",
    "rollout_table",
    # machine coders
    "RuleTagger", "ModelTagger", "EmbeddingTagger", "compare_taggers", "training_set",
    "to_codings", "evaluate_tagger",
    "cross_val_codings", "human_agreement", "score_labelled_texts", "suggest",
    # agreement
    "units", "agreement", "percent_agreement", "cohen_kappa", "fleiss_kappa",
    "krippendorff_alpha", "brennan_prediger", "gwet_ac1", "disagreements", "confusion",
    # cross-case
    "theme_matrix", "to_long", "framework_matrix", "framework_wide", "cooccurrence",
    "glow_grow", "saturation", "read_recommendations", "recommendations",
    "recommendations_markdown",
    # output
    "save_figure", "save_table",
    # errors
    "PlcaseError", "PlcaseInputError", "PlcaseWarning",
]
