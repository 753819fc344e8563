"""The explorer: concordance, keyness, speeches and group shares over the tables ``run`` writes, linked, with
an annotation loop (``notebooks/06-explore.ipynb``, ``make explore``)."""
from .concordance import HIT_COLUMNS, SORTS, Page, Query, all_hits, highlight, search
from .data import ExploreData, open_corpus, open_run
from .views import group_keyness, group_shares, key_terms, keyness_chart, neighbour, shares_chart, speech_html
from .widgets import Explorer, environment_choices

__all__ = ["HIT_COLUMNS", "SORTS", "ExploreData", "Explorer", "Page", "Query", "all_hits", "environment_choices",
           "group_keyness", "group_shares", "highlight", "key_terms", "keyness_chart", "neighbour", "open_corpus",
           "open_run", "search", "shares_chart", "speech_html"]
