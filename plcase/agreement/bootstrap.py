"""Bootstrap intervals from per-cluster sufficient statistics.

Every coefficient of :mod:`plcase.agreement.coefficients` is a function of a
few weighted sums over units (pairs of ratings that agree, category counts,
...). A bootstrap replicate only changes how often each unit is counted, so a
replicate is a vector of counts times the matrix of per-unit statistics; no
row of reliability data is ever copied.

Two resampling schemes:

documents (cluster bootstrap, the default for study data)
    The per-unit statistics are first summed per document, then documents
    are drawn with replacement: replicate counts ~ Multinomial(G, 1/G) over
    the G documents. Passages of one interview are not independent (a coder
    who misreads an interview misreads many of its passages), so resampling
    whole documents gives honest, wider intervals.
units
    Each unit of weight *w* (a run of *w* characters) stands for *w* identical
    units: replicate counts are Multinomial(N, w / N) with N the total
    weight, exactly the distribution of the bootstrap on the expanded data.
    Units with identical statistics are drawn as one pattern, so the cost
    grows with the number of distinct patterns, not of units.

A replicate in which a coefficient is undefined (for example no variation) is
counted; when more replicates are undefined than the interval's tail share,
no interval is given and the reason says so (dropping them would condition
the interval on the code being observed, which narrows it).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
from scipy import sparse

__all__ = ["replicate_sums", "percentile_interval"]

# Largest replicate-count matrix held at once (cells), about 64 MB of floats.
_CHUNK_CELLS = 8_000_000


def replicate_sums(stats: np.ndarray, weight: np.ndarray, cluster: np.ndarray | None,
                   n_boot: int, rng: np.random.Generator,
                   unit_weights: bool = False, pattern: np.ndarray | None = None) -> Iterator[tuple[np.ndarray, np.ndarray | None]]:
    """Weighted sums of ``stats`` over units for ``n_boot`` bootstrap replicates, in chunks.

    Parameters
    ----------
    stats : array, units × columns
        Per-unit statistics (unweighted).
    weight : array, units
        Unit weights (character-run lengths; 1 otherwise).
    cluster : array of int, units, or None
        Cluster (document) index of each unit, 0..G-1, for the cluster
        bootstrap; None for the unit bootstrap.
    n_boot : int
    rng : numpy Generator
    unit_weights : bool, default False
        Also yield each replicate's weight of every unit (for statistics that
        cannot be written as sums, such as non-nominal alpha).
    pattern : array of int, units, optional
        For the unit bootstrap: units with the same pattern have identical
        statistics (for example identical ratings); default found from
        ``stats`` itself.

    Yields
    ------
    (sums, weights, rows)
        ``sums`` is replicates × columns; ``weights`` (when ``unit_weights``)
        replicates × units, or replicates × the units listed in ``rows`` (one
        unit standing for each set of units with identical statistics);
        ``rows`` is None when ``weights`` covers every unit.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> stats = np.ones((4, 1))
    >>> sums = np.concatenate([s for s, _, _ in replicate_sums(
    ...     stats, np.array([1, 1, 2, 2]), None, 5, rng)])
    >>> sums.ravel().tolist()                     # always 6 units of weight 1
    [6.0, 6.0, 6.0, 6.0, 6.0]
    """
    weight = np.asarray(weight, dtype=float)
    n_units = len(weight)
    if cluster is not None:
        n_clusters = int(cluster.max(initial=-1)) + 1
        # Sufficient statistics per cluster: one sparse product, clusters × columns.
        member = sparse.csr_matrix((weight, (cluster, np.arange(n_units))),
                                   shape=(n_clusters, n_units))
        per_cluster = np.asarray(member @ stats)
        size = max(1, min(n_boot, _CHUNK_CELLS // max(n_clusters, 1)))
        done = 0
        while done < n_boot:
            take = min(size, n_boot - done)
            counts = rng.multinomial(n_clusters, np.full(n_clusters, 1 / n_clusters),
                                     size=take).astype(float)
            yield (counts @ per_cluster, counts[:, cluster] * weight if unit_weights else None,
                   None)
            done += take
        return
    # Units with identical statistics are interchangeable, so the bootstrap
    # only needs how often each *pattern* is drawn: with W_p the total weight
    # of pattern p, counts ~ Multinomial(N, W_p / N) (cells of a multinomial
    # add up), at O(patterns) per replicate instead of O(units).
    if pattern is None:
        pattern = np.unique(stats, axis=0, return_inverse=True)[1].ravel()
    pattern_of = pd.factorize(pattern)[0]
    representative = np.zeros(pattern_of.max(initial=-1) + 1, dtype=np.int64)
    representative[pattern_of[::-1]] = np.arange(n_units)[::-1]
    patterns = stats[representative]
    pattern_weight = np.bincount(pattern_of, weights=weight, minlength=len(patterns))
    n_draws = int(round(float(weight.sum())))
    share = pattern_weight / pattern_weight.sum()
    size = max(1, min(n_boot, _CHUNK_CELLS // max(len(patterns), 1)))
    done = 0
    while done < n_boot:
        take = min(size, n_boot - done)
        counts = rng.multinomial(n_draws, share, size=take).astype(float)
        yield counts @ patterns, (counts if unit_weights else None), representative
        done += take


def percentile_interval(replicates: np.ndarray, ci: float):
    """Percentile interval per column, with the number of valid replicates.

    Parameters
    ----------
    replicates : array, replicates × groups
        A coefficient on every replicate; NaN or inf where it was undefined.
    ci : float
        Confidence level, for example 0.95.

    Returns
    -------
    low, high, n_valid, reason : arrays, one entry per group
        ``reason`` is NaN where an interval was given, else why not: more
        replicates were undefined than the share ``(1 - ci) / 2`` each tail
        of the interval cuts off, so the undefined ones could have fallen in
        either tail.

    Examples
    --------
    >>> reps = np.array([[0.1, np.nan], [0.2, 0.5], [0.3, np.nan], [0.4, 0.6]])
    >>> low, high, n_valid, reason = percentile_interval(reps, 0.5)
    >>> round(float(low[0]), 3), n_valid.tolist(), reason[1]
    (0.175, [4, 2], '2 of 4 bootstrap replicates undefined (more than the 25.0% each tail \
of a 50% interval cuts off); no interval')
    """
    n_boot, groups = replicates.shape
    tail = (1 - ci) / 2
    low = np.full(groups, np.nan)
    high = np.full(groups, np.nan)
    finite = np.isfinite(replicates)
    n_valid = finite.sum(axis=0)
    reason = np.full(groups, np.nan, dtype=object)
    for g in range(groups):
        undefined = n_boot - n_valid[g]
        if undefined > tail * n_boot:
            reason[g] = (f"{undefined} of {n_boot} bootstrap replicates undefined (more than the "
                         f"{tail:.1%} each tail of a {ci:.0%} interval cuts off); no interval")
            continue
        low[g], high[g] = np.quantile(replicates[finite[:, g], g], [tail, 1 - tail])
    return low, high, n_valid.astype(np.int64), reason
