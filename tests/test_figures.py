"""Cross-case figures and the byte-identical exports."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from plcase import config  # noqa: E402
from plcase.errors import PlcaseError  # noqa: E402
from plcase.figures._style import GLOW_COLOUR, GROW_COLOUR, THEME_COLOURS  # noqa: E402
from plcase.figures.crosscase import (figure, plot_cooccurrence, plot_glow_grow,  # noqa: E402
                                      plot_grouped_bars, plot_recommendation_evidence,
                                      plot_saturation, plot_theme_matrix)
from plcase.figures.export import markdown_table, save_figure, save_table  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


SHARE = pd.DataFrame([[0.10, 0.40, 0.375, 0.15], [0.41, 0.14, 0.41, 0.0]],
                     index=pd.Index(["Grand Oak Elementary", "Ridge Road Middle"], name="school"),
                     columns=pd.Index(["shared_culture", "embedded_pd", "student_driven",
                                       "whole_child_sel"], name="code"))
SHARE.attrs = {"measure": "share"}

GLOW_GROW = pd.DataFrame({
    "school": ["Grand Oak", "Ridge Road", "Grand Oak", "Ridge Road"],
    "code": ["embedded_pd", "embedded_pd", "student_driven", "student_driven"],
    "n_passages": [30, 10, 30, 32], "glow": [27, 9, 23, 9], "grow": [6, 2, 11, 23],
    "balance": [0.64, 0.64, 0.35, -0.44]})

GRADED = pd.DataFrame({
    "id": [1, 2], "short": ["District leadership and support", "Respect the complexity of PL"],
    "n_cases": [3, 2], "n_roles": [3, 2], "n_sources": [3, 1], "n_passages": [114, 12],
    "glow": [94, 5], "grow": [17, 7], "grade": ["strong", "moderate"]})

SATURATION = pd.DataFrame({
    "school": ["A", "A", "A", "B", "B"], "step": [1, 2, 3, 1, 2],
    "doc_id": ["a1", "a2", "a3", "b1", "b2"], "date": ["2017-01-01"] * 5,
    "n_new": [3, 1, 0, 2, 2], "new_codes": ["x, y, z", "w", "", "x, y", "z, w"],
    "n_codes": [3, 4, 4, 2, 4], "n_code_roles": [3, 5, 6, 2, 5]})


def test_theme_matrix_heatmap_annotates_every_cell_in_percent():
    ax = plot_theme_matrix(SHARE)
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["10%", "40%", "38%", "15%", "41%", "14%", "41%", "0%"]
    assert [t.get_text() for t in ax.get_yticklabels()] == list(SHARE.index)
    assert [t.get_text() for t in ax.get_xticklabels()][0] == "shared culture"
    # contrast: the darkest cell (0%) has white text, the brightest black
    assert ax.texts[7].get_color() == "white" and ax.texts[4].get_color() == "black"


def test_plot_functions_draw_on_a_given_axes_and_return_it():
    fig, axes = plt.subplots(2, 3)
    counts = SHARE.mul(100).round().astype(int)
    cooc = pd.DataFrame([[5, 2], [2, 3]], index=["glow", "grow"], columns=["glow", "grow"])
    calls = [(plot_theme_matrix, SHARE), (plot_grouped_bars, counts), (plot_cooccurrence, cooc),
             (plot_glow_grow, GLOW_GROW), (plot_saturation, SATURATION),
             (plot_recommendation_evidence, GRADED)]
    for ax, (plot, frame) in zip(axes.flat, calls):
        assert plot(frame, ax=ax) is ax
    assert len(fig.axes) >= 6


def test_grouped_bars_use_theme_colours():
    ax = plot_grouped_bars(SHARE)
    assert len(ax.patches) == 8
    colours = [to_hex(p.get_facecolor()) for p in ax.patches[::2]]
    assert colours == [THEME_COLOURS[c].lower() for c in SHARE.columns]


def test_cooccurrence_draws_lower_triangle():
    m = pd.DataFrame([[5, 2, 1], [2, 3, 0], [1, 0, 4]], index=list("abc"), columns=list("abc"))
    assert [t.get_text() for t in plot_cooccurrence(m).texts] == ["5", "2", "3", "1", "0", "4"]


def test_glow_grow_bars_diverge():
    ax = plot_glow_grow(GLOW_GROW)
    widths = [p.get_width() for p in ax.patches]
    assert sorted(w for w in widths if w > 0) == sorted(GLOW_GROW.glow)
    assert sorted(-w for w in widths if w < 0) == sorted(GLOW_GROW.grow)
    assert to_hex(ax.patches[0].get_facecolor()) == GLOW_COLOUR.lower()
    assert to_hex(ax.patches[-1].get_facecolor()) == GROW_COLOUR.lower()


def test_saturation_one_curve_per_group():
    ax = plot_saturation(SATURATION, y="n_code_roles")
    steps = [line for line in ax.lines if line.get_linestyle() != "None"]
    assert len(steps) == 2
    assert list(steps[0].get_ydata()) == [3, 5, 6]
    with pytest.raises(PlcaseError, match="'n_themes'"):
        plot_saturation(SATURATION, y="n_themes")


def test_recommendation_chart_prints_the_grade():
    ax = plot_recommendation_evidence(GRADED)
    notes = [t.get_text() for t in ax.texts]
    assert notes[0].startswith("strong") and "3 cases · 3 roles · 3 src" in notes[0]
    assert notes[1].startswith("moderate")


def test_figure_helper_is_column_wide_with_plcase_fonts():
    fig, ax = figure()
    assert fig.get_figwidth() == pytest.approx(3.5)
    ax = plot_theme_matrix(SHARE)
    assert ax.texts[0].get_fontsize() == 8


# ---------------------------------------------------------------- exports

def draw():
    fig, ax = figure()
    plot_theme_matrix(SHARE, ax=ax)
    return fig


def test_save_figure_is_byte_identical(tmp_path):
    first = save_figure(draw(), "matrix", directory=tmp_path / "one")
    second = save_figure(draw(), "matrix", directory=tmp_path / "two")
    assert [p.name for p in first] == ["matrix.png", "matrix.svg", "matrix.pdf"]
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.name
    again = save_figure(draw(), "matrix", directory=tmp_path / "one")
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in second]
    svg = first[1].read_text()
    assert "<dc:date>" not in svg
    assert b"CreationDate" not in first[2].read_bytes()
    assert first[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_save_figure_defaults_to_config_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "FIGURES_DIR", tmp_path / "figures")
    (path,) = save_figure(draw(), "matrix", formats=("svg",))
    assert path == tmp_path / "figures" / "matrix.svg" and path.is_file()


def test_save_figure_rejects_bad_names_and_formats(tmp_path):
    with pytest.raises(PlcaseError, match="plain file name"):
        save_figure(draw(), "sub/matrix", directory=tmp_path)
    with pytest.raises(PlcaseError, match="'jpg'"):
        save_figure(draw(), "matrix", formats=("jpg",), directory=tmp_path)


def test_save_table_writes_csv_markdown_latex(tmp_path):
    paths = save_table(SHARE, "share", directory=tmp_path)
    assert [p.name for p in paths] == ["share.csv", "share.md", "share.tex"]
    csv = pd.read_csv(paths[0], index_col=0)
    assert csv.index.tolist() == list(SHARE.index)
    np.testing.assert_allclose(csv.to_numpy(), SHARE.to_numpy())
    md = paths[1].read_text().splitlines()
    assert md[0] == "| school | shared_culture | embedded_pd | student_driven | whole_child_sel |"
    assert md[1] == "| :--- | ---: | ---: | ---: | ---: |"
    assert md[2] == "| Grand Oak Elementary | 0.100 | 0.400 | 0.375 | 0.150 |"
    tex = paths[2].read_text()
    assert r"shared\_culture" in tex and r"\begin{tabular}" in tex
    assert "0.375" in tex


def test_tidy_table_without_index_and_with_missing_values(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "TABLES_DIR", tmp_path / "tables")
    frame = pd.DataFrame({"code": ["embedded_pd", "grow"], "balance": [0.5, np.nan],
                          "quote": ["a | b\nc", "d"]})
    csv, md, tex = save_table(frame, "tidy")
    assert csv.parent == tmp_path / "tables"
    assert csv.read_text().splitlines()[0] == "code,balance,quote"
    assert md.read_text().splitlines()[3] == "| grow |  | d |"
    assert markdown_table(frame).splitlines()[2] == r"| embedded_pd | 0.500 | a \| b<br>c |"
    assert "nan" not in tex.read_text().lower()


# ---------------------------------------------------------------- figures for readers (issue 18)

def _with_n(matrix):
    m = matrix.copy()
    m.attrs = dict(matrix.attrs, labels={"shared_culture": "Shared culture",
                                         "whole_child_sel": "Whole child / SEL"},
                   n_passages={"Grand Oak Elementary": 142, "Ridge Road Middle": 133},
                   n_informants={"Grand Oak Elementary": 10, "Ridge Road Middle": 10})
    return m


def test_theme_matrix_rows_say_their_n_and_columns_their_label():
    ax = plot_theme_matrix(_with_n(SHARE))
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert rows[0] == "Grand Oak Elementary\nn = 142 passages · 10 informants"
    columns = [t.get_text() for t in ax.get_xticklabels()]
    assert columns[0] == "Shared culture" and columns[3] == "Whole child / SEL"
    # codes without a codebook label fall back to the code, readably
    assert columns[1] == "embedded pd"


def test_context_rows_sit_below_a_rule():
    m = pd.concat([SHARE, pd.DataFrame([[0.27, 0.5, 0.2, 0.05]], columns=SHARE.columns,
                                       index=pd.Index(["context: D1"], name="school"))])
    m.attrs = {"measure": "share", "context": ["context: D1"]}
    ax = plot_theme_matrix(m)
    rules = [line.get_ydata()[0] for line in ax.lines]
    assert rules == [1.5]
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "context: D1"


def test_cooccurrence_diagonal_apart_does_not_set_the_scale():
    m = pd.DataFrame([[40, 2], [2, 30]], index=["a", "b"], columns=["a", "b"])
    ax = plot_cooccurrence(m)
    image = ax.images[0]
    # the colour scale spans the pairs (max 2), not the diagonal (40)
    assert image.norm.vmax == 2
    assert [t.get_text() for t in ax.texts] == ["40", "2", "30"]
    assert plot_cooccurrence(m, diagonal="scale").images[0].norm.vmax == 40
    with pytest.raises(PlcaseError, match="diagonal"):
        plot_cooccurrence(m, diagonal="off")


def test_cooccurrence_conditional_by_hand():
    from tests.handmade import build_study
    from plcase.matrix import cooccurrence

    m = cooccurrence(build_study(), measure="conditional", codes=["student_driven", "glow", "grow"])
    # Participant passages by hand: student_driven GO-T1:001, GO-T1:002 (one coding spans
    # both), GO-S1:001, GO-S1:002, RR-A1:002 = 5; glow GO-T1:001, GO-S1:001, RR-A1:001,
    # RR-A1:002 = 4; grow GO-T1:002, RR-A1:002 = 2.  Both student_driven and glow: 3;
    # student_driven and grow: 2.  Rows condition: P(column | row).
    assert m.loc["student_driven", "glow"] == pytest.approx(3 / 5)
    assert m.loc["glow", "student_driven"] == pytest.approx(3 / 4)
    assert m.loc["grow", "student_driven"] == pytest.approx(2 / 2)
    assert m.loc["student_driven", "grow"] == pytest.approx(2 / 5)
    assert np.diag(m).tolist() == [1.0, 1.0, 1.0]
    assert m.attrs["measure"] == "conditional"


def test_glow_grow_per_100_passages_of_the_group():
    frame = GLOW_GROW.assign(group_passages=[100, 50, 100, 50])
    ax = plot_glow_grow(frame, per=100)
    widths = sorted(p.get_width() for p in ax.patches if p.get_width() > 0)
    # Ridge Road: 9 glows of 50 passages = 18 per 100
    assert widths == pytest.approx(sorted([27, 18, 23, 18]))
    assert "(n = 50)" in " ".join(t.get_text() for t in ax.get_yticklabels())
    with pytest.raises(PlcaseError, match="group_passages"):
        plot_glow_grow(GLOW_GROW, per=100)


def test_saved_figure_has_its_table_beside_it(tmp_path):
    paths = save_figure(draw(), "matrix", formats=("png",), directory=tmp_path, table=SHARE)
    assert [p.name for p in paths] == ["matrix.png", "matrix.csv", "matrix.md", "matrix.tex"]
    np.testing.assert_allclose(pd.read_csv(paths[1], index_col=0).to_numpy(), SHARE.to_numpy())


def test_tagger_scores_name_coders_by_role_with_landis_koch_bands():
    from plcase.figures.tagging import plot_tagger_scores

    scores = pd.DataFrame({"coder": ["ben", "auto:model"], "reference": "ana",
                           "code": ["embedded_pd"] * 2, "kappa": [0.87, 0.7]})
    ax = plot_tagger_scores(scores)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["human (ben)",
                                                                  "model (auto:model)"]
    bands = sorted(line.get_ydata()[0] for line in ax.lines if line.get_linestyle() == ":")
    assert bands == [0.21, 0.41, 0.61, 0.81]
    assert ax.get_title() == "Passage-level agreement with the human coder (ana)"


def test_new_codes_band_and_saturation_marker():
    curves = pd.DataFrame({"group": ["A"] * 3, "step": [1, 2, 3], "n_codes": [2, 3, 3],
                           "n_codes_low": [1, 2, 3], "n_codes_high": [2, 3, 3]})
    sat = pd.DataFrame({"group": ["A"], "saturation_at": [2.0]})
    ax = plot_saturation(curves, saturation=sat)
    assert len(ax.collections) == 1  # the permutation band
    stars = [line for line in ax.lines if line.get_marker() == "*"]
    assert len(stars) == 1 and list(stars[0].get_xdata()) == [2.0]
    assert ax.get_legend().get_texts()[0].get_text() == "A (n = 3)"


def test_a_large_cooccurrence_matrix_is_drawn_without_cell_numbers_at_bounded_size():
    from plcase.figures.crosscase import ANNOTATE_MAX_CODES, MAX_HEATMAP_INCHES

    codes = [f"code {i}" for i in range(ANNOTATE_MAX_CODES + 10)]
    values = np.arange(len(codes) ** 2).reshape(len(codes), len(codes)) % 7
    big = pd.DataFrame(values, index=codes, columns=codes)
    ax = plot_cooccurrence(big)
    assert len(ax.texts) == 0 and f"{len(codes)} codes: values in the table" in ax.get_title()
    assert max(ax.figure.get_size_inches()) <= MAX_HEATMAP_INCHES + 1.0
    assert len(plot_cooccurrence(big, annotate=True).texts) > len(codes)
    small = big.iloc[:ANNOTATE_MAX_CODES, :ANNOTATE_MAX_CODES]
    assert len(plot_cooccurrence(small).texts) == ANNOTATE_MAX_CODES * (ANNOTATE_MAX_CODES + 1) // 2
    plt.close("all")
