"""The explorer: concordance, keyness, speeches and group shares over the tables ``run`` writes, linked, with
an annotation loop (``notebooks/06-explore.ipynb``, ``make explore``)."""
from .concordance import HIT_COLUMNS, SORTS, Page, Query, all_hits, highlight, search
from .data import ExploreData, open_corpus, open_run
from .views import group_keyness, group_shares, keyness_chart, neighbour, shares_chart, speech_html
from .widgets import Explorer, environment_choices

__all__ = ["HIT_COLUMNS", "SORTS", "ExploreData", "Explorer", "Page", "Query", "all_hits", "group_keyness", "group_shares",
           "highlight", "keyness_chart", "neighbour", "open_corpus", "open_run", "environment_choices", "search", "shares_chart",
           "speech_html"]
