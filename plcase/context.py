"""Bundled context data sets of the CMS Personalized Learning initiative, readable by name.

The numbers come from public CMS material (the PL Roadmap and the case study of
three first-cohort schools); each row names its source.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

from plcase.errors import PlcaseError

__all__ = ["read_dataset", "DATASETS", "rollout_table", "CMS_SCHOOLS", "cms_background"]

#: Bundled data sets and what they hold.
DATASETS = {
    "cms_rollout": "Personalized Learning cohorts by school year (schools added)",
    "cms_cornerstones": "The four CMS cornerstones and the plcase code that stands for each",
}

#: Schools in Charlotte-Mecklenburg Schools at the time of the initiative.
CMS_SCHOOLS = 168


def read_dataset(name: str) -> pd.DataFrame:
    """Read a bundled context data set by name (see :data:`DATASETS`).

    Examples
    --------
    >>> read_dataset("cms_rollout")["schools_added"].tolist()
    [15, 18, 13, 14]
    """
    if name not in DATASETS:
        raise PlcaseError(f"unknown data set {name!r}; choose from {sorted(DATASETS)}")
    with resources.files("plcase.data").joinpath(f"{name}.csv").open(encoding="utf-8") as f:
        return pd.read_csv(f)


def rollout_table(rollout: pd.DataFrame, *, district_schools: int = CMS_SCHOOLS) -> pd.DataFrame:
    """Cumulative Personalized Learning schools and their share of the district.

    Parameters
    ----------
    rollout : DataFrame
        ``school_year`` and ``schools_added`` columns (``read_dataset("cms_rollout")``).
    district_schools : int
        Schools in the district.

    Examples
    --------
    >>> table = rollout_table(read_dataset("cms_rollout"))
    >>> table["pl_schools"].tolist()
    [15, 33, 46, 60]
    """
    table = rollout[["school_year", "cohort", "schools_added"]].copy()
    table["pl_schools"] = table["schools_added"].cumsum()
    table["share_of_district"] = (table["pl_schools"] / district_schools).round(3)
    return table.reset_index(drop=True)


class _Markdown(str):
    """Text a notebook shows as Markdown (plain text elsewhere)."""

    def __repr__(self) -> str:
        return str(self)

    def _repr_markdown_(self) -> str:
        return str(self)


def cms_background() -> str:
    """The background of the CMS Personalized Learning initiative (the sample study's setting).

    Examples
    --------
    >>> cms_background().split(".")[0]
    'Charlotte-Mecklenburg Schools (CMS), a large urban district of 168 schools, received a Next Generation Innovation grant in 2013 and chose a grassroots route to personalized learning (PL): every school was invited, a five-phase screening picked schools that were willing and able, and each selected school formed a design team of ten educators and the principal'
    """
    return _Markdown(
        f"Charlotte-Mecklenburg Schools (CMS), a large urban district of {CMS_SCHOOLS} schools, "
        "received a Next Generation Innovation grant in 2013 and chose a grassroots route to "
        "personalized learning (PL): every school was invited, a five-phase screening picked "
        "schools that were willing and able, and each selected school formed a design team of ten "
        "educators and the principal. A first cohort started in 2014-15; a new cohort joined every "
        "year after. The case study visited three first-cohort schools (Grand Oak Elementary, "
        "Ridge Road Middle and Newell Elementary) after three years of implementation. CMS defined "
        "personalized learning as developing the whole child and empowering students to own their "
        "learning through multiple pathways to mastery, resting on four cornerstones (below). The "
        "sample study bundled with plcase is **synthetic**: written to resemble that study's "
        "interviews, with pseudonyms throughout.")
