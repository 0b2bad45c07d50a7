"""The ``plcase`` command line: init, validate, import, tag, matrix, retrieve, codebook and report.

Every sub-command reads a study folder (transcripts, ``codebook.yml``, optional
``codings.csv``).  Problems in the researcher's files are printed as
``file:line: message (fix)`` and give exit status 1; outputs are written only
when the whole command succeeded, so a failed run never leaves a half-written file.

Each sub-command imports what it needs when it runs (not for an import cycle:
``plcase --help`` and ``plcase validate`` should answer without first loading
scikit-learn, matplotlib and the notebook machinery).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

__all__ = ["main", "build_parser"]


def _write_atomically(frame, output: str, **to_csv) -> None:
    """Write a CSV next to its destination, then rename: no partial file on failure."""
    target = Path(output)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        frame.to_csv(tmp, lineterminator="\n", **to_csv)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _validate(args) -> int:
    from plcase.validate import lint_study

    problems = lint_study(args.path)
    for row in problems.itertuples():
        where = row.path if _missing(row.line) else f"{row.path}:{row.line}"
        hint = f" ({row.hint})" if isinstance(row.hint, str) and row.hint else ""
        print(f"{where}: {row.severity}: {row.message}{hint}")
    errors = int((problems["severity"] == "error").sum())
    warnings = int((problems["severity"] == "warning").sum())
    print(f"{args.path}: {errors} error(s), {warnings} warning(s)", file=sys.stderr)
    return 1 if errors or (args.strict and warnings) else 0


def _missing(value) -> bool:
    import pandas as pd

    return value is None or pd.isna(value)


def _codes(args) -> list[str] | None:
    return [c.strip() for c in args.codes.split(",") if c.strip()] if args.codes else None


def _tag(args) -> int:
    import plcase

    study = plcase.read_study(args.path)
    X, y, codes = plcase.training_set(study, coder=args.coder, codes=_codes(args))
    if args.method == "rules":
        tagger = plcase.RuleTagger(codebook=study.codebook, codes=codes).fit(X, y)
    else:
        tagger = plcase.ModelTagger(study.codebook, codes=codes,
                                    random_state=plcase.config.RANDOM_STATE).fit(X, y)
    codings = plcase.to_codings(tagger, study)
    columns = ["doc_id", "start", "end", "code", "coder", "memo", "score"]
    _write_atomically(codings[columns], args.output, index=False)
    print(f"{args.output}: {len(codings)} codings by {codings['coder'].iloc[0] if len(codings) else 'no coder'} "
          f"on {study.passages.shape[0]} passages", file=sys.stderr)
    return 0


def _matrix(args) -> int:
    import plcase

    from plcase.errors import PlcaseError

    study = plcase.read_study(args.path)
    by = args.by or study.case_column
    by = by.split(",") if "," in by else by
    codes = _codes(args)
    matrix = plcase.theme_matrix(study, by=by, measure=args.measure, coder=args.coder, codes=codes)
    coder = matrix.attrs.get("coder")
    chosen = list(matrix.columns)
    applied = set(study.codings.loc[study.codings["coder"] == coder, "code"])
    if not chosen or not applied & set(chosen):
        raise PlcaseError(f"coder {coder!r} applied none of the codes {chosen or '(none)'}, so the "
                          f"matrix would be empty; the codes they applied are "
                          f"{sorted(applied) or 'none'}: choose some with --codes a,b "
                          f"(or name the study's themes in study.yml)")
    _write_atomically(matrix, args.output)
    print(f"{args.output}: {matrix.shape[0]} rows × {matrix.shape[1]} codes ({args.measure})",
          file=sys.stderr)
    return 0


def _import(args) -> int:
    import plcase
    from plcase.io import reader_for_project

    source = Path(args.project)
    reader = reader_for_project(source)
    if reader is None:
        raise plcase.PlcaseInputError("not a project plcase can import", path=source,
                                      hint="give a QualCoder project (.qda folder or data.qda), a "
                                           "Taguette database (.sqlite3) or a REFI-QDA .qdpx")
    if args.taguette_project is not None:
        if reader is not plcase.read_taguette:
            raise plcase.PlcaseError("--taguette-project applies to Taguette databases only")
        study = plcase.read_taguette(source, project=args.taguette_project)
    else:
        study = reader(source)
    if args.cases_pattern or args.cases_table:
        study = plcase.assign_cases(study, table=args.cases_table, pattern=args.cases_pattern,
                                    column=args.case_column)
    target = Path(args.output)
    if target.suffix.lower() == ".qdpx":
        # Written beside the target, then renamed: a failed run leaves no partial file.
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".qdpx")
        os.close(fd)
        try:
            plcase.write_qdpx(study, tmp)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    elif target.suffix.lower() == ".csv":
        columns = ["doc_id", "start", "end", "code", "coder", "passage_id", "text", "memo"]
        _write_atomically(study.codings[columns], args.output, index=False)
    else:
        raise plcase.PlcaseError(f"cannot write {target.name}: give an output ending in .qdpx "
                                 "(the whole study, REFI-QDA) or .csv (the codings)")
    print(f"{args.output}: {len(study.documents)} documents, {len(study.codebook)} codes, "
          f"{len(study.codings)} codings by {len(study.coders)} coder(s) from {source}",
          file=sys.stderr)
    return 0


def _retrieve(args) -> int:
    import plcase
    from plcase.retrieve import quotes_markdown

    study = plcase.read_study(args.path)
    found = plcase.retrieve(study, code=args.code, case=args.case, role=args.role,
                            coder=args.coder, text=args.text, context=args.context,
                            include_subcodes=not args.no_subcodes)
    fmt = args.format or ("md" if Path(args.output).suffix.lower() in (".md", ".markdown") else "csv")
    if fmt == "md":
        _write_text_atomically(quotes_markdown(found), args.output)
    else:
        _write_atomically(found, args.output, index=False)
    print(f"{args.output}: {len(found)} coded segment(s) by {found['coder'].nunique() if len(found) else 0} "
          f"coder(s)", file=sys.stderr)
    return 0


def _codebook(args) -> int:
    import plcase
    from plcase.codebook_export import write_codebook

    if Path(args.output).suffix.lower() not in (".docx", ".html", ".htm"):
        raise plcase.PlcaseError(f"cannot write a codebook as {Path(args.output).name!r}: give a "
                                 "file ending in .docx (Word) or .html")
    study = plcase.read_study(args.path)
    target = Path(args.output)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=target.suffix)
    os.close(fd)
    try:
        write_codebook(study.codebook, tmp, title=args.title or f"Codebook: {study.name}")
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    print(f"{args.output}: {len(study.codebook)} codes", file=sys.stderr)
    return 0


def _write_text_atomically(text: str, output: str) -> None:
    """Write text next to its destination, then rename: no partial file on failure."""
    target = Path(output)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        Path(tmp).write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _report(args) -> int:
    from plcase.report import run_report

    done = run_report(args.folder, output=args.output, notebooks=args.notebooks,
                      in_place=args.in_place, progress=lambda line: print(line, flush=True))
    where = done[0].parent if done else "nowhere"
    print(f"{len(done)} notebook(s) executed; the report is in {where}", file=sys.stderr)
    return 0


def _init(args) -> int:
    from plcase.scaffold import init_study

    folder = init_study(args.folder, from_sample=args.from_sample)
    print(f"{folder}: study folder ready. Put your transcripts in it, then run: "
          f"plcase validate {args.folder} && plcase report {args.folder}", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also used to document the commands)."""
    parser = argparse.ArgumentParser(
        prog="plcase",
        description="Reproducible qualitative case studies. A study is a folder of transcripts "
                    "(text with YAML front matter and inline {#code}…{/#code} tags), a "
                    "codebook.yml and an optional codings.csv; see README.md.")
    parser.add_argument("--version", action="version", version=f"plcase {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("init", help="start a study folder: study.yml, codebook.yml, notebooks, README",
                       description="Create FOLDER with a study.yml (what the study says about "
                                   "itself), a starter codebook.yml (a blank template with one "
                                   "worked example code, or the sample's CMS codebook with "
                                   "--from-sample), the report notebooks and a README saying what "
                                   "to put where. Refuses to overwrite existing files.")
    p.add_argument("folder", help="the new study folder, e.g. my-study/")
    p.add_argument("--from-sample", action="store_true",
                   help="start from the sample study's codebook instead of the blank template")
    p.set_defaults(func=_init)

    p = sub.add_parser("validate", help="check every transcript, codings.csv and the codebook",
                       description="Check a study folder file by file and print every problem as "
                                   "'file:line: severity: message (what to do)'. Exits 1 if any "
                                   "file has an error.")
    p.add_argument("path", help="study folder, e.g. interviews/")
    p.add_argument("--strict", action="store_true", help="treat warnings (e.g. cp1252 files) as errors")
    p.set_defaults(func=_validate)

    p = sub.add_parser("tag", help="tag every passage with keyword rules or a trained model",
                       description="Tag every passage of the study with the codebook's themes and "
                                   "write the machine's codings as CSV (doc_id,start,end,code,coder,"
                                   "memo,score). 'rules' uses the codebook's keywords and phrases; "
                                   "'model' trains TF-IDF + logistic regression on a human coder's "
                                   "codes and tags all passages.")
    p.add_argument("path", help="study folder")
    p.add_argument("--method", choices=["rules", "model"], default="rules",
                   help="rules (transparent keywords) or model (trained on human codes)")
    p.add_argument("--coder", default=None,
                   help="human coder to train on (default: the study's primary coder)")
    p.add_argument("--codes", default=None,
                   help="comma-separated codes to tag (default: the study's theme codes)")
    p.add_argument("-o", "--output", required=True, help="CSV file to write")
    p.set_defaults(func=_tag)

    p = sub.add_parser("matrix", help="cross-case theme matrix (schools × themes) as CSV",
                       description="Count the themes per group of documents and write the matrix "
                                   "as CSV. Measures: passages (passages coded), share (of the "
                                   "group's passages), informants (distinct participants), sources "
                                   "(distinct source types), per_1000_words.")
    p.add_argument("path", help="study folder")
    p.add_argument("--by", default=None,
                   help="document column(s) for the rows, e.g. school, role or school,role "
                        "(default: the study's case column, school unless study.yml says otherwise)")
    p.add_argument("--measure", default="share",
                   choices=["passages", "share", "informants", "sources", "per_1000_words"])
    p.add_argument("--coder", default=None,
                   help="coder whose codes to count (default: the study's primary coder)")
    p.add_argument("--codes", default=None,
                   help="comma-separated codes for the columns (default: the study's theme codes)")
    p.add_argument("-o", "--output", required=True, help="CSV file to write")
    p.set_defaults(func=_matrix)

    p = sub.add_parser("import", help="read a QualCoder, Taguette or REFI-QDA project",
                       description="Read a QualCoder project (.qda folder or its data.qda), a "
                                   "Taguette database (.sqlite3) or a REFI-QDA project (.qdpx) "
                                   "without changing it, optionally declare cases, and write the "
                                   "whole study as REFI-QDA (.qdpx) or its codings as CSV.")
    p.add_argument("project", help="project folder or file")
    p.add_argument("-o", "--output", required=True, help="file to write: .qdpx or .csv")
    p.add_argument("--taguette-project", default=None,
                   help="name or id of the project, when a Taguette database holds several")
    p.add_argument("--cases-pattern", default=None,
                   help=r"regex on document names with a group (?P<case>...), e.g. '^(?P<case>[A-Z]+)\d+'")
    p.add_argument("--cases-table", default=None, help="CSV with columns doc_id,case (+ attributes)")
    p.add_argument("--case-column", default="case", help="document column to write cases to")
    p.set_defaults(func=_import)

    p = sub.add_parser("retrieve", help="find coded quotes by code, case, role, coder or words",
                       description="List the coded segments that match every filter given, one "
                                   "row per stretch of text, with the document's metadata and the "
                                   "speaker, as CSV or Markdown. Codes include their sub-codes; "
                                   "only the study's primary coder is searched unless --coder "
                                   "says otherwise ('*' for all coders, each segment still once).")
    p.add_argument("path", help="study folder or project")
    p.add_argument("--code", action="append", default=None,
                   help="code to look for (repeat for several); default every code")
    p.add_argument("--case", action="append", default=None,
                   help="case to keep (the study's case column, e.g. a school); repeatable")
    p.add_argument("--role", action="append", default=None,
                   help="document role to keep, e.g. student; repeatable")
    p.add_argument("--coder", default=None,
                   help="coder to search (default: the study's primary coder; '*' for all)")
    p.add_argument("--text", default=None, help="keep segments containing these words")
    p.add_argument("--context", type=int, default=0,
                   help="passages before and after each segment to include (default 0)")
    p.add_argument("--no-subcodes", action="store_true", help="match the codes named only")
    p.add_argument("--format", choices=["csv", "md"], default=None,
                   help="csv or md (default: from the output's suffix, .md → md, else csv)")
    p.add_argument("-o", "--output", required=True, help="file to write")
    p.set_defaults(func=_retrieve)

    p = sub.add_parser("codebook", help="write the codebook as a Word or HTML document",
                       description="Write the study's codebook as a readable document for "
                                   "co-coders and appendices: each code with its label, "
                                   "definition, when to use, when not to use and example, "
                                   "sub-codes under their parents.")
    p.add_argument("path", help="study folder or project")
    p.add_argument("-o", "--output", required=True, help="codebook.docx or codebook.html")
    p.add_argument("--title", default=None, help="document title (default: 'Codebook: <study>')")
    p.set_defaults(func=_codebook)

    p = sub.add_parser("report", help="execute the report notebooks on a study into reports/",
                       description="Execute the report notebooks (00-… onwards) in order on a study and "
                                   "write each executed notebook and its HTML rendering to the "
                                   "output folder, with figures/ and tables/ beside them. The "
                                   "notebooks themselves are never edited. Exits 1 naming the "
                                   "notebook and cell that failed.")
    p.add_argument("folder", nargs="?", default=None,
                   help="study folder (default: the one you are in if it holds study.yml, else "
                        "$PLCASE_INTERVIEWS, else the bundled sample)")
    p.add_argument("-o", "--output", default=None,
                   help="output folder (default: reports/ in the study folder; for the sample, "
                        "reports/ in the repository or the current folder)")
    p.add_argument("--notebooks", default=None,
                   help="folder of notebooks (default: the study's notebooks/, else plcase's own)")
    p.add_argument("--in-place", action="store_true",
                   help="developer command: execute the notebooks where they are, storing their "
                        "outputs, figures/ and tables/ at the top of the repository (make notebooks)")
    p.set_defaults(func=_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    from plcase.errors import PlcaseError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except PlcaseError as exc:
        print(f"plcase {args.command}: {_plain(str(exc))}", file=sys.stderr)
        return 1
    except OSError as exc:
        # An unwritable or vanished output path: one line, no traceback.
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        print(f"plcase {args.command}: cannot write or read{where}: {exc.strerror or exc}",
              file=sys.stderr)
        return 1


def _plain(text: str) -> str:
    """Text without terminal colour codes, one line per problem."""
    import re

    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)


def _version() -> str:
    from plcase import __version__

    return __version__


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
