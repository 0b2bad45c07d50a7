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

from plcase import config, datasets, findings, report, scaffold, settings
from plcase.agreement import (agreement, brennan_prediger, cohen_kappa, confusion,
                              disagreements, fleiss_kappa, gwet_ac1, gwet_ac2, krippendorff_alpha,
                              percent_agreement, unitizing_alpha, unitizing_alpha_family, units,
                              weighted_kappa)
from plcase.cases import assign_cases
from plcase.codebook import read_codebook
from plcase.codebook_export import write_codebook
from plcase.context import read_dataset, rollout_table
from plcase.describe import coding_counts, corpus_table
from plcase.embedding import EmbeddingTagger
from plcase.errors import PlcaseError, PlcaseInputError, PlcaseWarning
from plcase.evaluate import (compare_taggers, cross_val_codings, evaluate_tagger,
                             human_agreement, masking_effect, score_labelled_texts, suggest,
                             to_codings, training_set)
from plcase.figures.export import save_figure, save_table
from plcase.hierarchy import code_depth, rollup
from plcase.io import read_sample, read_study
from plcase.io.qdpx import read_qdc, read_qdpx, write_qdc, write_qdpx
from plcase.io.qualcoder import read_qualcoder
from plcase.io.responses import read_responses
from plcase.io.taguette import read_taguette
from plcase.matrix import (cooccurrence, framework_matrix, framework_wide, glow_grow, new_codes,
                           row_counts, saturation, saturation_runs, theme_matrix, to_long)
from plcase.recommend import (cerqual, read_recommendations, recommendations,
                              recommendations_markdown)
from plcase.roles import speaker_roles
from plcase.schema import compact_codings
from plcase.scaffold import init_study
from plcase.memos import memos, read_memos, write_memos
from plcase.retrieve import retrieve
from plcase.segment import sentence_frame, sentence_spans, sentences
from plcase.study import Study
from plcase.tagframe import tag_frame
from plcase.taggers import ModelTagger, RuleTagger
from plcase.validate import lint_study

__version__ = "0.1.0"


def __getattr__(name):
    # The coding widget needs anywidget (extra "lab"); everything else in
    # plcase works without it, so it is imported on first use.
    if name == "CodingView":
        from plcase.coding import CodingView
        return CodingView
    raise AttributeError(f"module 'plcase' has no attribute {name!r}")

__all__ = [
    # data
    "config", "datasets", "findings", "report", "scaffold", "settings", "init_study", "Study",
    "read_sample", "read_study", "read_codebook", "read_dataset",
    "read_qdpx", "write_qdpx", "read_qdc", "write_qdc", "read_responses", "lint_study",
    "sentences", "sentence_spans", "sentence_frame", "corpus_table", "coding_counts",
    "rollout_table", "read_qualcoder", "read_taguette", "assign_cases", "rollup", "code_depth",
    "speaker_roles", "retrieve", "write_codebook", "memos", "read_memos", "write_memos",
    "compact_codings",
    # machine coders
    "RuleTagger", "ModelTagger", "EmbeddingTagger", "compare_taggers", "training_set",
    "to_codings", "evaluate_tagger", "cross_val_codings", "human_agreement",
    "score_labelled_texts", "suggest", "tag_frame", "masking_effect",
    # agreement
    "units", "agreement", "percent_agreement", "cohen_kappa", "fleiss_kappa",
    "krippendorff_alpha", "brennan_prediger", "gwet_ac1", "weighted_kappa", "gwet_ac2",
    "unitizing_alpha", "unitizing_alpha_family", "disagreements", "confusion",
    # cross-case
    "theme_matrix", "to_long", "framework_matrix", "framework_wide", "cooccurrence",
    "glow_grow", "saturation", "saturation_runs", "new_codes", "row_counts",
    "read_recommendations", "recommendations", "recommendations_markdown", "cerqual",
    # output
    "save_figure", "save_table",
    # coding in JupyterLab
    "CodingView",
    # errors
    "PlcaseError", "PlcaseInputError", "PlcaseWarning",
]
