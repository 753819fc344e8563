"""Text scaling: positions of texts on one dimension from their word counts.

* :class:`Wordscores` (Laver, Benoit & Garry 2003): word scores learnt from reference texts of known
  position score other texts; LBG or Martin-Vanberg rescaling.
* :class:`Wordfish` (Slapin & Proksch 2008): a Poisson model of the counts places texts without
  reference positions.

Both take a documents × terms count matrix (a DataFrame, or a scipy sparse matrix with ``terms=`` and
``documents=``), checked once by :func:`check_counts`; :func:`count_matrix` builds it from a documents table
with the project's counting engine. Both are validated against the published results of the R package
austin (``tests/test_scaling.py``, data in ``../shared/validation/scaling``).
"""
from .matrix import Counts, check_counts, count_matrix
from .wordfish import WORDFISH_COLUMNS, Wordfish
from .wordscores import WORDSCORES_COLUMNS, Wordscores

__all__ = ["Counts", "WORDFISH_COLUMNS", "WORDSCORES_COLUMNS", "Wordfish", "Wordscores", "check_counts",
           "count_matrix"]
