"""Wordfish: one-dimensional positions of texts from word counts alone.

Slapin & Proksch (2008), "A scaling model for estimating time-series party positions from texts",
*American Journal of Political Science* 52(3): 705-722. The count of word ``j`` in document ``i`` is Poisson
with ``log λ[i, j] = α[i] + ψ[j] + β[j] θ[i]``: ``θ`` the document's position, ``α`` its verbosity, ``ψ`` the
word's frequency and ``β`` how strongly it tells positions apart.

Estimation is that of austin's ``wordfish`` (Will Lowe), the reference implementation, step for step:

* starting values as Slapin and Proksch's code: ``α = log(n[i] / n[0])`` (``n`` the document lengths),
  ``ψ = log`` of each word's mean count, and ``β``, ``θ`` from the first singular vectors of
  ``log(count + 0.1) - α - ψ`` (no random numbers);
* conditional maximum likelihood, alternating: each document's ``(θ, α)`` given the word parameters (``α`` of
  the first document fixed at 0), then ``θ`` standardised to mean 0 and sample SD 1 and its sign chosen so
  that ``θ[dir[1]] > θ[dir[0]]``, then each word's ``(β, ψ)`` given the document parameters;
* a normal prior with mean 0 and standard deviation ``prior_sd`` (austin's ``sigma``, 3) on each ``β``: the
  penalty ``β² / (2 prior_sd²)``, which keeps the slopes of rare words finite;
* stop when a round raises the penalised log-likelihood by less than ``tol`` times its size, or lowers it.
  With a prior the rounds have no fixed point: standardising ``θ`` after each document step shifts the
  penalty, and once near the optimum a round loses more that way than its steps gain, so this rule stops
  where the penalised likelihood peaks along the way (austin and quanteda use the same signed rule);
* standard errors of ``θ`` from the observed information of the multinomial form of the model, the word
  parameters held fixed: ``1 / sqrt(n[i] Var_p(β))`` with ``p[i, j] ∝ exp(ψ[j] + β[j] θ[i])`` (austin's
  ``se.theta``, which it gets from a numerical Hessian).

austin reports as positions the values of its ``predict`` (each document's best ``θ`` given the final word
parameters, :meth:`Wordfish.transform` here), which are close to but not exactly standardised; ``theta_`` is
the standardised ``θ`` of the model itself. On austin's Irish budget example ``transform`` reproduces
austin's published positions and standard errors to 1e-4 (see ``tests/test_scaling.py``).

Why hand-written Newton steps rather than :func:`scipy.optimize.minimize`: given the other block, each
document's and each word's problem is separate, and after profiling out the intercept (``α[i]`` or ``ψ[j]``
has a closed form given the slope) each is a concave function of one number. Newton's method with step
halving solves all 20,000 word problems at once with a few passes over the ``documents × terms`` array,
where ``minimize`` would be called 20,000 times per round (austin's loop over ``optim``), or would treat the
separable problem as one 20,000-dimensional one and converge far more slowly.
"""
from __future__ import annotations

import contextlib
import dataclasses
import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted

from .matrix import Counts, check_counts, fitted_columns
from .wordscores import normal_quantile

__all__ = ["WORDFISH_COLUMNS", "Wordfish"]

WORDFISH_COLUMNS = ["theta", "se", "lower", "upper"]
_FINAL_STEP = 1e-4  # a Newton step this small (relative to the parameter) is the last
_NEWTON_STEPS = 100
_BLOCK_ELEMENTS = 1 << 17  # 1 MB of float64 per block of rows in _moments


# -------------------------------------------------------------------------------------- one-parameter Newton

def _maximise(evaluate, start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Maximise many independent concave functions of one number at once.

    ``evaluate(x, rows)`` gives, for the functions ``rows`` at ``x``: the value, the first and second
    derivatives, and ``log Σ exp(...)`` of the function with its first and second derivatives. Newton steps,
    halved while they lower the value; a step below ``_FINAL_STEP`` is taken without a further evaluation
    (what is left after it is of the order of its square) and ``log Σ exp`` moved along its Taylor expansion.
    Returns the maximisers and ``log Σ exp`` there.
    """
    x = start.astype(np.float64, copy=True)
    rows = np.arange(len(x))
    value, gradient, curvature, log_total, slope, bend = evaluate(x, rows)
    step = -gradient / np.minimum(curvature, -1e-300)
    for _ in range(_NEWTON_STEPS):
        small = np.abs(step[rows]) <= _FINAL_STEP * np.maximum(1.0, np.abs(x[rows]))
        done = rows[small]
        x[done] += step[done]
        log_total[done] += step[done] * (slope[done] + 0.5 * step[done] * bend[done])
        rows = rows[~small]
        if not len(rows):
            break
        trial = x[rows] + step[rows]
        new = evaluate(trial, rows)
        keep = new[0] >= value[rows] - 1e-12 * np.abs(value[rows])
        accepted, rejected = rows[keep], rows[~keep]
        x[accepted] = trial[keep]
        for old, fresh in zip((value, gradient, curvature, log_total, slope, bend), new):
            old[accepted] = fresh[keep]
        step[accepted] = -gradient[accepted] / np.minimum(curvature[accepted], -1e-300)
        step[rejected] /= 2
    return x, log_total


def _moments_block(x: np.ndarray, slopes: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, ...]:
    exponents = np.multiply.outer(x, slopes)
    exponents += offsets
    shift = exponents.max(axis=1)
    exponents -= shift[:, None]
    np.exp(exponents, out=exponents)
    s0 = exponents.sum(axis=1)
    return shift + np.log(s0), (exponents @ slopes) / s0, (exponents @ (slopes * slopes)) / s0


def _moments(x: np.ndarray, slopes: np.ndarray, offsets: np.ndarray, mapper=map) -> tuple[np.ndarray, ...]:
    """For each ``x[k]``, with weights ``w[k, m] ∝ exp(offsets[m] + x[k] slopes[m])``: ``(log Σ_m exp(...),
    mean of slopes under w, mean of slopes² under w)``.

    Computed in blocks of rows that fit in cache (``mapper`` may spread them over threads: NumPy releases
    the GIL), which is where the fit spends its time: one such pass per Newton step over all documents or
    all words.
    """
    rows = max(1, _BLOCK_ELEMENTS // len(slopes))
    parts = list(mapper(lambda start: _moments_block(x[start:start + rows], slopes, offsets),
                        range(0, len(x), rows)))
    return tuple(np.concatenate(column) for column in zip(*parts))


def _document_terms(counts_beta: np.ndarray, lengths: np.ndarray, beta: np.ndarray, psi: np.ndarray,
                    fixed_alpha: np.ndarray, mapper=map):
    """``evaluate(θ, rows)`` of each document's log-likelihood as a function of its ``θ``, word parameters fixed.

    Documents with a free ``α`` give the multinomial profile ``θ Σ y β - n log Σ exp(ψ + β θ)`` (``α`` at its
    best value, ``log n - log Σ exp(ψ + β θ)``); those in ``fixed_alpha`` the Poisson likelihood with
    ``α = 0``. The auxiliary number is ``log Σ exp(ψ + β θ)``.
    """
    def evaluate(x, rows):
        log_total, mean, second = _moments(x, beta, psi, mapper)
        n, fixed = lengths[rows], fixed_alpha[rows]
        scale = np.where(fixed, np.exp(log_total), n)
        value = x * counts_beta[rows] - np.where(fixed, scale, n * log_total)
        gradient = counts_beta[rows] - scale * mean
        curvature = -scale * second + np.where(fixed, 0.0, n * mean * mean)
        return value, gradient, curvature, log_total, mean, second - mean * mean

    return evaluate


def _alpha(lengths: np.ndarray, log_total: np.ndarray, fixed_alpha: np.ndarray) -> np.ndarray:
    return np.where(fixed_alpha, 0.0, np.log(lengths) - log_total)


def _document_positions(counts_beta: np.ndarray, lengths: np.ndarray, beta: np.ndarray, psi: np.ndarray,
                        theta: np.ndarray, mapper=map) -> np.ndarray:
    """Best ``θ`` of each document on its own given the word parameters (``α`` free): for new documents."""
    fixed = np.zeros(len(lengths), dtype=bool)
    theta, _ = _maximise(_document_terms(counts_beta, lengths, beta, psi, fixed, mapper), theta)
    return theta


def _word_parameters(counts_theta: np.ndarray, totals: np.ndarray, theta: np.ndarray, alpha: np.ndarray,
                     beta: np.ndarray, penalty: float, mapper=map) -> tuple[np.ndarray, np.ndarray]:
    """Best ``(β, ψ)`` of each word given the document parameters, ``ψ`` profiled out in closed form."""
    def evaluate(x, columns):
        log_total, mean, second = _moments(x, theta, alpha, mapper)
        c = totals[columns]
        value = x * counts_theta[columns] - c * log_total - 0.5 * penalty * x * x
        gradient = counts_theta[columns] - c * mean - penalty * x
        variance = second - mean * mean
        curvature = -c * variance - penalty
        return value, gradient, curvature, log_total, mean, variance

    beta, log_total = _maximise(evaluate, beta)
    return beta, np.log(totals) - log_total


def _theta_se(lengths: np.ndarray, theta: np.ndarray, beta: np.ndarray, psi: np.ndarray) -> np.ndarray:
    """Standard error of each ``θ`` from the multinomial observed information, word parameters fixed."""
    _, mean, second = _moments(theta, beta, psi)
    return 1.0 / np.sqrt(lengths * np.maximum(second - mean * mean, 1e-300))


# -------------------------------------------------------------------------------------- the fit

@dataclasses.dataclass
class _Fit:
    theta: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    psi: np.ndarray
    log_likelihood: float
    n_iter: int
    converged: bool


def _starting_values(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(θ, β, ψ)`` to start from, as Slapin and Proksch's code and austin's ``initialize.urfish``.

    The first singular vectors come from the eigenvectors of the small ``documents × documents`` matrix
    ``R R'`` rather than a full SVD of ``R``: the same vectors (up to sign, which the fit does not depend on:
    the first document step and ``dir`` settle it), at a fraction of the cost.
    """
    lengths = counts.sum(axis=1)
    alpha = np.log(lengths / lengths[0])
    psi = np.log(counts.mean(axis=0))
    residuals = np.log(counts + 0.1)
    residuals -= alpha[:, None]
    residuals -= psi[None, :]
    values, vectors = np.linalg.eigh(residuals @ residuals.T)
    singular = np.sqrt(max(values[-1], 0.0))
    left = vectors[:, -1]
    right = (left @ residuals) / singular
    shifted = left - left[0]
    spread = shifted.std(ddof=1)
    return shifted / spread, right * singular * spread, psi


def _fit_wordfish(counts: np.ndarray, *, direction: tuple[int, int], prior_sd: float | None, tol: float,
                  max_iter: int, start: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
                  mapper=map) -> _Fit:
    """Fit Wordfish to a dense documents × terms array whose every row and column has a count.

    ``start``: ``(θ, β, ψ)`` to start from (default :func:`_starting_values`).
    """
    n_documents = counts.shape[0]
    lengths, totals = counts.sum(axis=1), counts.sum(axis=0)
    sparse = sp.csr_matrix(counts)  # for the products with the counts: most are zero
    penalty = 0.0 if prior_sd is None else 1.0 / prior_sd**2
    theta, beta, psi = _starting_values(counts) if start is None else (np.array(part) for part in start)
    fixed_alpha = np.zeros(n_documents, dtype=bool)
    fixed_alpha[0] = True
    previous, converged, iteration = None, False, 0
    for iteration in range(1, max_iter + 1):
        evaluate = _document_terms(sparse @ beta, lengths, beta, psi, fixed_alpha, mapper)
        theta, log_total = _maximise(evaluate, theta)
        alpha = _alpha(lengths, log_total, fixed_alpha)
        theta = (theta - theta.mean()) / theta.std(ddof=1)  # the word step refits β and ψ to this θ
        if theta[direction[0]] > theta[direction[1]]:
            theta = -theta
            beta = -beta
        counts_theta = sparse.T @ theta
        beta, psi = _word_parameters(counts_theta, totals, theta, alpha, beta, penalty, mapper)
        # with ψ profiled, Σ_i λ[i, j] equals the word's total, so Σ λ is the number of tokens
        log_likelihood = float(alpha @ lengths + psi @ totals + counts_theta @ beta - totals.sum()
                               - 0.5 * penalty * beta @ beta)
        if previous is not None and (log_likelihood - previous) <= tol * abs(previous):
            converged = True
            break
        previous = log_likelihood
    return _Fit(theta=theta, alpha=alpha, beta=beta, psi=psi, log_likelihood=log_likelihood, n_iter=iteration,
                converged=converged)


@contextlib.contextmanager
def _threads(n_jobs: int | None):
    """A ``map`` over ``n_jobs`` threads (all cores when None; the builtin ``map`` for 1).

    BLAS is held to one thread meanwhile: its products here are of small blocks, where its own threads
    cost more than they give and would compete with ours.
    """
    from threadpoolctl import threadpool_limits  # a dependency of scikit-learn

    n = (os.cpu_count() or 1) if n_jobs is None else n_jobs
    with threadpool_limits(limits=1, user_api="blas"):
        if n == 1:
            yield map
            return
        with ThreadPoolExecutor(max_workers=n) as pool:
            yield pool.map


def _positions_table(theta: np.ndarray, se: np.ndarray, z: float, index: pd.Index) -> pd.DataFrame:
    """``theta, se, lower, upper`` with the interval ``theta ± z·se``."""
    values = {"theta": theta, "se": se, "lower": theta - z * se, "upper": theta + z * se}
    return pd.DataFrame({column: values[column] for column in WORDFISH_COLUMNS}, index=index)


def _resolve_direction(direction, documents: pd.Index) -> tuple[int, int]:
    if isinstance(direction, (str, bytes)) or not hasattr(direction, "__len__") or len(direction) != 2:
        raise ValueError(f"dir must be two documents (positions or names) with theta[dir[1]] > theta[dir[0]], "
                         f"got {direction!r}")
    n = len(documents)
    positions = []
    for item in direction:
        if isinstance(item, (int, np.integer)) and not isinstance(item, bool):
            if not -n <= item < n:
                raise ValueError(f"dir position {item} is out of range for {n} documents")
            positions.append(int(item) % n)
        elif item in documents:
            positions.append(int(documents.get_loc(item)))
        else:
            raise ValueError(f"dir names {item!r}, which is not a document; give positions or names of X's rows")
    if positions[0] == positions[1]:
        raise ValueError(f"dir must name two different documents, got {direction!r}")
    return positions[0], positions[1]


# -------------------------------------------------------------------------------------- the estimator

class Wordfish(BaseEstimator):
    """Wordfish (Slapin & Proksch 2008), estimated as austin does.

    Parameters
    ----------
    dir : (int or str, int or str)
        Two documents, by position in ``X`` (negative counts from the end) or by name, such that
        ``theta[dir[1]] > theta[dir[0]]``: this sets which end of the scale is which. Default: the first and
        the last document (austin's default).
    prior_sd : float or None
        Standard deviation of the normal prior (mean 0) on each word slope ``β``: the penalty
        ``β² / (2 prior_sd²)``. 3 as austin; ``None`` for none (rare words' slopes may then diverge).
    tol : float
        Stop when a round raises the penalised log-likelihood by less than ``tol`` times its size, or lowers
        it (austin's rule and default, 1e-6; see the module docstring).
    max_iter : int
        At most this many rounds of document and word updates; a ``ConvergenceWarning`` if reached.
    level : float
        Coverage of the intervals (``lower``, ``upper``) of :meth:`transform` and :meth:`bootstrap`.
    random_state : int
        Seed of the parametric bootstrap (the fit itself draws no random numbers).
    n_jobs : int, optional
        Threads for the passes over the ``documents × terms`` array (default: all cores). The results do
        not depend on it.

    Attributes
    ----------
    theta_ : Series
        Position of each document (mean 0, sample SD 1), indexed by document.
    theta_se_ : Series
        Its standard error (multinomial observed information, word parameters fixed).
    alpha_ : Series
        Document effects (0 for the first document).
    beta_, psi_ : Series
        Word slopes and word effects, indexed by term; terms with no count in any document are left out.
    log_likelihood_ : float
        Penalised Poisson log-likelihood at the end (without the ``-Σ log y!`` constant).
    n_iter_ : int
        Rounds run.
    converged_ : bool
        Whether the stopping rule was met within ``max_iter`` rounds.
    direction_ : (int, int)
        Positions of the two ``dir`` documents.
    terms_ : Index
        Terms (columns) of the matrix given to ``fit``.
    n_features_in_ : int

    Examples
    --------
    >>> X = pd.DataFrame([[9, 1, 5], [7, 3, 5], [3, 7, 5], [1, 9, 5]], index=list("abcd"),
    ...                  columns=["tax", "welfare", "budget"])
    >>> model = Wordfish(dir=("a", "d")).fit(X)
    >>> model.theta_.round(2).tolist()
    [-1.11, -0.51, 0.51, 1.12]
    """

    def __init__(self, *, dir=(0, -1), prior_sd: float | None = 3.0, tol: float = 1e-6, max_iter: int = 1000,
                 level: float = 0.95, random_state: int = 0, n_jobs: int | None = None):
        self.dir = dir
        self.prior_sd = prior_sd
        self.tol = tol
        self.max_iter = max_iter
        self.level = level
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _check_params(self) -> float:
        if self.prior_sd is not None and not (isinstance(self.prior_sd, (int, float, np.floating))
                                              and self.prior_sd > 0):
            raise ValueError(f"prior_sd must be a number > 0 or None, got {self.prior_sd!r}")
        if not isinstance(self.tol, (int, float, np.floating)) or not self.tol > 0:
            raise ValueError(f"tol must be a number > 0, got {self.tol!r}")
        if not isinstance(self.max_iter, (int, np.integer)) or self.max_iter < 1:
            raise ValueError(f"max_iter must be a whole number >= 1, got {self.max_iter!r}")
        if self.n_jobs is not None and (not isinstance(self.n_jobs, (int, np.integer)) or self.n_jobs < 1):
            raise ValueError(f"n_jobs must be a whole number >= 1 or None, got {self.n_jobs!r}")
        return normal_quantile(self.level)

    def fit(self, X, y=None, *, terms: Sequence | None = None, documents: Sequence | None = None) -> Wordfish:
        """Estimate positions of the documents of ``X`` (a documents × terms count matrix; ``y`` is ignored).

        Raises
        ------
        ValueError
            Fewer than three documents (positions are standardised, so two are always -0.71 and 0.71), or a
            bad ``dir``.
        """
        self._check_params()
        counts = check_counts(X, terms=terms, documents=documents)
        if len(counts.documents) < 3:
            raise ValueError(f"Wordfish needs at least 3 documents, got {len(counts.documents)}")
        direction = _resolve_direction(self.dir, counts.documents)
        dense = counts.matrix.toarray()
        used = np.flatnonzero(dense.sum(axis=0) > 0)
        with _threads(self.n_jobs) as mapper:
            fit = _fit_wordfish(dense[:, used], direction=direction, prior_sd=self.prior_sd, tol=self.tol,
                                max_iter=self.max_iter, mapper=mapper)
        if not fit.converged:
            warnings.warn(f"Wordfish did not converge in {self.max_iter} iterations; raise max_iter or tol",
                          ConvergenceWarning, stacklevel=2)
        self.terms_ = counts.terms
        self.n_features_in_ = len(counts.terms)
        self.direction_ = direction
        index = counts.documents
        self.theta_ = pd.Series(fit.theta, index=index, name="theta")
        self.theta_se_ = pd.Series(_theta_se(counts.document_lengths, fit.theta, fit.beta, fit.psi), index=index,
                                   name="se")
        self.alpha_ = pd.Series(fit.alpha, index=index, name="alpha")
        self.beta_ = pd.Series(fit.beta, index=counts.terms[used], name="beta")
        self.psi_ = pd.Series(fit.psi, index=counts.terms[used], name="psi")
        self.log_likelihood_ = fit.log_likelihood
        self.n_iter_ = fit.n_iter
        self.converged_ = fit.converged
        return self

    def positions(self) -> pd.DataFrame:
        """The fitted positions as a table: ``theta, se, lower, upper`` (interval ``theta ± z·se``)."""
        check_is_fitted(self, "theta_")
        z = self._check_params()
        return _positions_table(self.theta_.to_numpy(), self.theta_se_.to_numpy(), z, self.theta_.index)

    def transform(self, X, *, terms: Sequence | None = None, documents: Sequence | None = None) -> pd.DataFrame:
        """Positions of (new) documents given the fitted word parameters, as austin's ``predict.wordfish``.

        Each document's ``θ`` maximises the multinomial likelihood of its counts of the model's words (words
        the model has not seen are left out; model words a document lacks count 0). For the documents the
        model was fitted on this gives the positions austin reports, a few per cent more spread than
        ``theta_`` (each document's own best ``θ``, where ``theta_`` is standardised); use
        :meth:`positions` for the fitted ``theta_`` as a table.

        Returns
        -------
        DataFrame
            Indexed by document: ``theta, se, lower, upper``.
        """
        check_is_fitted(self, "theta_")
        z = self._check_params()
        counts = check_counts(X, terms=terms, documents=documents)
        matrix = self._model_columns(counts)
        lengths = np.asarray(matrix.sum(axis=1)).ravel()
        if (lengths == 0).any():
            raise ValueError(f"{int((lengths == 0).sum())} document(s) use none of the model's "
                             f"{len(self.beta_)} words (e.g. {counts.documents[lengths == 0][0]!r})")
        beta, psi = self.beta_.to_numpy(), self.psi_.to_numpy()
        with _threads(self.n_jobs) as mapper:
            theta = _document_positions(np.asarray(matrix @ beta).ravel(), lengths, beta, psi,
                                        np.zeros(len(lengths)), mapper)
        return _positions_table(theta, _theta_se(lengths, theta, beta, psi), z, counts.documents)

    def _model_columns(self, counts: Counts):
        terms = fitted_columns(counts, self.terms_, self.n_features_in_)
        positions = self.beta_.index.get_indexer(terms)
        known = np.flatnonzero(positions >= 0)
        # the model's words in the order of beta_; those the documents lack count 0
        selector = sp.csr_matrix((np.ones(len(known)), (np.arange(len(known)), positions[known])),
                                 shape=(len(known), len(self.beta_)))
        return (counts.matrix[:, known] @ selector).tocsr()

    def bootstrap(self, n_samples: int = 100, *, random_state: int | None = None) -> pd.DataFrame:
        """Parametric bootstrap of the positions: refit to counts drawn from the fitted model.

        Each sample draws every count from its fitted Poisson rate and refits (starting from the fitted
        parameters, same ``dir``, ``prior_sd`` and ``tol``), as austin's ``bootstrap.se``. The interval is
        ``theta ± z·se`` with the bootstrap ``se``, not the percentiles of the samples: Wordfish is biased
        under its own model (``bias``: on the 2009 Irish budget debate over three standard errors for the
        longest speech), so percentile intervals can miss the estimate they are meant to surround.

        Parameters
        ----------
        n_samples : int
            Number of refits.
        random_state : int, optional
            Seed (default: the estimator's ``random_state``); the same seed gives the same table.

        Returns
        -------
        DataFrame
            Indexed by document: ``theta`` (the fitted position), ``se`` (standard deviation over the
            samples), ``bias`` (their mean minus ``theta``), ``lower``, ``upper`` (``theta ± z·se`` for
            ``level``).
        """
        check_is_fitted(self, "theta_")
        z = self._check_params()
        if not isinstance(n_samples, (int, np.integer)) or n_samples < 2:
            raise ValueError(f"n_samples must be a whole number >= 2, got {n_samples!r}")
        rng = np.random.default_rng(self.random_state if random_state is None else random_state)
        theta, alpha = self.theta_.to_numpy(), self.alpha_.to_numpy()
        beta, psi = self.beta_.to_numpy(), self.psi_.to_numpy()
        rates = np.exp(alpha[:, None] + psi[None, :] + theta[:, None] * beta[None, :])
        samples = np.empty((n_samples, len(theta)))
        with _threads(self.n_jobs) as mapper:
            for sample in range(n_samples):
                draw = rng.poisson(rates).astype(np.float64)
                if (draw.sum(axis=1) == 0).any():
                    raise ValueError("a bootstrap sample left a document without counts; the texts are too "
                                     "short for a parametric bootstrap")
                used = np.flatnonzero(draw.sum(axis=0) > 0)
                samples[sample] = _fit_wordfish(draw[:, used], direction=self.direction_, prior_sd=self.prior_sd,
                                                tol=self.tol, max_iter=self.max_iter,
                                                start=(theta, beta[used], psi[used]), mapper=mapper).theta
        se = samples.std(axis=0, ddof=1)
        return pd.DataFrame({"theta": theta, "se": se, "bias": samples.mean(axis=0) - theta, "lower": theta - z * se,
                             "upper": theta + z * se}, index=self.theta_.index)

