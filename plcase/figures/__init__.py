"""Publication figures: plot functions take a computed frame and ``ax=None`` and return the Axes.

Nothing here shows or saves a figure; :func:`save_figure` writes PNG, SVG and
PDF, byte-identical for the same figure, and :func:`save_table` writes CSV,
Markdown and LaTeX.  Colours are Okabe-Ito (colour-blind safe); type is sized
for a journal column.
"""

from plcase.figures._style import figure
from plcase.figures.agreement import plot_agreement
from plcase.figures.context import plot_rollout
from plcase.figures.crosscase import (plot_cooccurrence, plot_glow_grow, plot_grouped_bars,
                                      plot_recommendation_evidence, plot_saturation,
                                      plot_theme_matrix)
from plcase.figures.export import save_figure, save_table
from plcase.figures.recommend import plot_confidence
from plcase.figures.tagging import plot_tagger_scores

__all__ = [
    "figure", "plot_agreement", "plot_rollout", "plot_cooccurrence", "plot_glow_grow",
    "plot_grouped_bars", "plot_recommendation_evidence", "plot_saturation", "plot_theme_matrix",
    "plot_tagger_scores", "plot_confidence", "save_figure", "save_table",
]
