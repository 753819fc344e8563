"""Topic and stance analysis of United Nations speeches.

Modules by concern: :mod:`analysis.corpus` (reading and segmenting speeches), :mod:`analysis.text`
(tokenising), :mod:`analysis.terms` (frequencies, keyness), :mod:`analysis.themes` (TF-IDF themes),
:mod:`analysis.stance` (stance labels), :mod:`analysis.plots` (figures), :mod:`analysis.pipeline` (the
``run`` command).
"""
__version__ = "0.1.0"

__all__ = ["analyse", "__version__"]


def analyse(corpus, **options):
    """The tables of ``python -m analysis run`` in memory: see :func:`analysis.views.analyse`."""
    from .views import analyse as _analyse

    return _analyse(corpus, **options)
