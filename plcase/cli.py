"""The ``plcase`` command line."""

from __future__ import annotations

import argparse
import sys

__all__ = ["main"]


def _report(args) -> int:
    from plcase.report import ReportError, run_report

    try:
        run_report(args.notebooks, progress=lambda line: print(line, flush=True))
    except ReportError as exc:
        print(f"plcase report: {exc}", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="plcase",
        description="Reproducible qualitative case studies: validate transcripts, tag passages, "
                    "build theme matrices and run the notebook report.")
    sub = parser.add_subparsers(dest="command", required=True)
    report = sub.add_parser("report", help="execute every notebook in notebooks/ in order and write "
                                           "figures/, tables/ and HTML to reports/",
                            description="Execute notebooks/00-… to 05-… in order, storing their "
                                        "outputs; figures go to figures/, tables to tables/, an HTML "
                                        "rendering of each notebook to reports/. Exits non-zero "
                                        "naming the notebook and cell that failed.")
    report.add_argument("--notebooks", default=None, help="folder of notebooks (default: notebooks/)")
    report.set_defaults(func=_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
