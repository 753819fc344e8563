"""The explorer's widgets (ipywidgets): four linked views and a labelling panel over one run's tables.

* **Concordance**: a pattern, filters, a sort; pages of hits with the match and the stance cues marked; a hit
  opens its speech or is labelled; every hit exports to CSV.
* **Keyness**: a field and target values, each against the rest; the table and the scatter; a term sends
  itself to the concordance.
* **Speech**: one speech sentence by sentence, tinted by stance, with theme badges and cue spans; the previous
  and next speech of the same meeting or country.
* **Groups**: theme or stance shares by a field with their intervals, drawn as the notebooks draw them.

Charts are the project's matplotlib charts shown as PNG images: they need no JavaScript beyond ipywidgets' own,
no network, and look as they do in the reports; the links between views are widgets (a term list, a hit
number), not clicks inside a plot. Every action is a method (:meth:`Explorer.search`,
:meth:`Explorer.compute_keyness`, …) so tests drive the views without a browser. The CSS classes
``unspeech-*`` are what the browser test looks for.
"""
from __future__ import annotations

import html
import os
from pathlib import Path

import pandas as pd

from .. import plots
from ..errors import InputError, OutputError
from ..io import write_csv
from . import views
from .concordance import SORTS, Query, all_hits, highlight, search
from .data import ExploreData

__all__ = ["Explorer", "environment_choices"]

_ANY = "(any)"
_NO_STANCE = "(no stance)"  # a label for themes only: the gold file's stance stays empty
_TABLE_STYLE = "<style>.unspeech-table td,.unspeech-table th{padding:1px 6px;text-align:left;vertical-align:top}" \
               ".unspeech-cue{background:#fde68a}.unspeech-match{background:#bfdbfe;font-weight:bold}" \
               ".unspeech-badge{background:#e5e7eb;border-radius:3px;padding:0 3px;font-size:80%}</style>"


#: Environment variables that choose for ``make explore`` and the browser test what the notebook's parameters
#: choose in JupyterLab: ``live`` or ``static`` views, the corpus, the gold file.
MODE_VARIABLE, CORPUS_VARIABLE, GOLD_VARIABLE = "UNSPEECH_EXPLORE", "UNSPEECH_EXPLORE_CORPUS", "UNSPEECH_EXPLORE_GOLD"


def environment_choices(*, corpus, gold_file, live: bool | None = None) -> tuple[str | Path, Path, bool]:
    """Notebook 06's ``corpus``, ``gold_file`` and ``live``, overridden by the environment where it says so.

    ``live=None`` means live widgets unless ``$UNSPEECH_EXPLORE`` is ``static`` (what executed reports and nbval
    set); a relative ``gold_file`` is relative to the project root (Voilà runs the kernel in ``notebooks/``).

    >>> environment_choices(corpus="data/raw", gold_file="labels.csv", live=False)[2]
    False
    """
    from .. import paths

    corpus = os.environ.get(CORPUS_VARIABLE) or corpus
    gold = Path(os.environ.get(GOLD_VARIABLE) or gold_file)
    if not gold.is_absolute():
        gold = paths.PROJECT_ROOT.joinpath(gold)
    if live is None:
        live = os.environ.get(MODE_VARIABLE, "live").strip().lower() != "static"
    return corpus, gold, bool(live)


def _png(figure) -> object:
    import ipywidgets as w

    if isinstance(figure, plots.Skipped):
        return w.HTML(f"<p><i>Not drawn: {html.escape(figure.reason)}.</i></p>")
    return w.Image(value=plots.render(figure, "png"), format="png", layout=w.Layout(max_width="900px"))


def _table_html(frame: pd.DataFrame, *, floats: str = "{:.3g}") -> str:
    def cell(value):
        if isinstance(value, float):
            return "" if pd.isna(value) else floats.format(value)
        return html.escape(str(value))
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>"
                   for row in frame.itertuples(index=False))
    return f'{_TABLE_STYLE}<table class="unspeech-table"><tr>{head}</tr>{body}</table>'


class Explorer:
    """The explorer over ``data`` (:func:`analysis.explore.open_corpus` or :func:`~analysis.explore.open_run`).

    Parameters
    ----------
    data : ExploreData
    gold_file : str or Path, optional
        Where the labelling panel writes (:class:`analysis.annotate.GoldFile`); without it labels cannot be
        saved.
    annotator : str
        Written beside each label.
    codebook, lexicon : optional
        The cue file and lexicon whose labels the panel offers (default: those of the project).
    page_size : int
        Hits per page.
    """

    def __init__(self, data: ExploreData, *, gold_file: str | Path | None = None, annotator: str = "",
                 codebook=None, lexicon=None, page_size: int = 20):
        import ipywidgets as w

        self.data = data
        self.page_size = page_size
        self.page = None
        self.shown = None  # the Query whose hits are shown (paging and export follow it, not edited widgets)
        self.keyness = None
        self.current = None  # row of data.sentences being looked at / labelled
        self.gold = None
        if gold_file is not None:
            from ..annotate import GoldFile

            # the labels the panel offers are the run's: its lexicon unless another is given
            lexicon = lexicon if lexicon is not None else data.manifest.get("themes_file") or None
            self.gold = GoldFile(gold_file, annotator=annotator, codebook=codebook, lexicon=lexicon)
        fields = data.fields
        # ---------------------------------------------------------------- concordance
        self.query = w.Text(placeholder="word, wild*card or phrase", description="Find")
        self.query.add_class("unspeech-query")
        self.query.continuous_update = False
        self.search_button = w.Button(description="Search", button_style="primary")
        self.search_button.add_class("unspeech-search")
        self.filter_field = w.Dropdown(options=[_ANY, *fields], description="Field")
        self.filter_value = w.Combobox(placeholder="value (several: a; b)", description="is", ensure_option=False)
        self.filter_field.observe(self._filter_values, "value")
        years = pd.to_numeric(data.field("year"), errors="coerce").dropna() if "year" in data.documents else None
        self.years = (w.IntRangeSlider(min=int(years.min()), max=int(years.max()),
                                       value=(int(years.min()), int(years.max())), description="Years")
                      if years is not None and len(years) else None)
        self.theme = w.Dropdown(options=[_ANY, *data.themes], description="Theme")
        self.stance = w.Dropdown(options=[_ANY, *data.stance_labels], description="Stance")
        self.sort = w.Dropdown(options=[s for s in SORTS if s in ("corpus", "score (high first)",
                                                                  "score (low first)") or s in data.documents],
                               description="Sort")
        self.previous_page = w.Button(description="◀ previous")
        self.next_page = w.Button(description="next ▶")
        self.page_info = w.HTML()
        self.page_info.add_class("unspeech-page-info")
        self.hits = w.HTML()
        self.hits.add_class("unspeech-hits")
        self.hit_number = w.BoundedIntText(value=1, min=1, max=max(page_size, 1), description="Hit #")
        self.hit_number.add_class("unspeech-hit-number")
        self.open_button = w.Button(description="open its speech")
        self.export_path = w.Text(value="concordance.csv", description="CSV")
        self.export_button = w.Button(description="export all hits")
        self.search_button.on_click(lambda _: self.search())
        self.query.observe(lambda change: self.search() if change["new"] else None, "value")
        self.previous_page.on_click(lambda _: self.turn_page(-1))
        self.next_page.on_click(lambda _: self.turn_page(1))
        self.hit_number.observe(lambda change: self.select_hit(change["new"]), "value")
        self.open_button.on_click(lambda _: self.open_speech())
        self.export_button.on_click(lambda _: self.export(self.export_path.value))
        filters = [self.filter_field, self.filter_value, *([self.years] if self.years else []), self.theme,
                   self.stance, self.sort]
        concordance = w.VBox([w.HBox([self.query, self.search_button]), w.HBox(filters[:3]), w.HBox(filters[3:]),
                              w.HBox([self.previous_page, self.next_page, self.page_info]), self.hits,
                              w.HBox([self.hit_number, self.open_button, self.export_path, self.export_button])])
        # ---------------------------------------------------------------- keyness
        self.keyness_field = w.Dropdown(options=fields, description="Field",
                                        value="un_group" if "un_group" in fields else (fields[0] if fields else None))
        self.keyness_targets = w.SelectMultiple(description="Targets", rows=6)
        self.keyness_field.observe(lambda _: self._target_values(), "value")
        self._target_values()
        self.keyness_button = w.Button(description="Compare with the rest", button_style="primary")
        self.keyness_button.add_class("unspeech-keyness")
        self.keyness_sort = w.Dropdown(options=["g2", "log_ratio", "count_target", "term"], description="Sort by")
        self.keyness_sort.observe(lambda _: self._show_keyness(), "value")
        self.keyness_table = w.HTML()
        self.keyness_table.add_class("unspeech-keyness-table")
        self.keyness_chart = w.VBox()
        self.term = w.Dropdown(description="Term", options=[])
        self.term_button = w.Button(description="show in concordance")
        self.term_button.add_class("unspeech-term-to-concordance")
        self.keyness_button.on_click(lambda _: self.compute_keyness())
        self.term_button.on_click(lambda _: self.term_to_concordance())
        keyness = w.VBox([w.HBox([self.keyness_field, self.keyness_targets, self.keyness_button]),
                          w.HBox([self.term, self.term_button, self.keyness_sort]), self.keyness_chart,
                          self.keyness_table])
        # ---------------------------------------------------------------- speech
        self.speech_id = w.Combobox(options=tuple(data.documents["doc_id"].astype(str)[:5000]),
                                    description="Speech", ensure_option=False,
                                    value=str(data.documents["doc_id"].iloc[0]) if len(data.documents) else "")
        self.speech_within = w.Dropdown(options=[f for f in ("meeting", "country", "year", "body") if f in fields],
                                        description="Step within")
        self.speech_previous = w.Button(description="◀ previous speech")
        self.speech_next = w.Button(description="next speech ▶")
        self.sentence_number = w.BoundedIntText(value=0, min=0, max=10**6, description="Sentence #")
        self.sentence_number.add_class("unspeech-sentence-number")
        self.speech = w.HTML()
        self.speech.add_class("unspeech-speech")
        self.speech_id.observe(lambda change: self.show_speech(change["new"]), "value")
        self.speech_previous.on_click(lambda _: self.step_speech(-1))
        self.speech_next.on_click(lambda _: self.step_speech(1))
        self.sentence_number.observe(lambda change: self.select_sentence(change["new"]), "value")
        speech = w.VBox([w.HBox([self.speech_id, self.speech_within, self.speech_previous, self.speech_next]),
                         self.sentence_number, self.speech])
        # ---------------------------------------------------------------- groups
        self.groups_field = w.Dropdown(options=fields, description="By",
                                       value="un_group" if "un_group" in fields else (fields[0] if fields else None))
        self.groups_column = w.ToggleButtons(options=["themes", "stance"], description="Shares of")
        self.groups_button = w.Button(description="Draw", button_style="primary")
        self.groups_chart = w.VBox()
        self.groups_table = w.HTML()
        self.groups_button.on_click(lambda _: self.draw_groups())
        groups = w.VBox([w.HBox([self.groups_field, self.groups_column, self.groups_button]), self.groups_chart,
                         self.groups_table])
        # ---------------------------------------------------------------- labelling
        self.label_sentence = w.HTML()
        self.label_stance = w.ToggleButtons(options=[_NO_STANCE, *data.stance_labels], value=_NO_STANCE,
                                            description="Stance")
        self.label_stance.add_class("unspeech-stance")
        self.blind = w.Checkbox(description="hide the labellers' labels while I label", value=False, indent=False)
        self.blind.observe(lambda _: self.select_row(self.current, reset=False) if self.current is not None else None,
                           "value")
        self.label_themes = [w.Checkbox(description=theme, value=False, indent=False) for theme in data.themes]
        for box in self.label_themes:
            box.add_class("unspeech-theme")
        self.save_button = w.Button(description="Save label", button_style="success",
                                    disabled=self.gold is None)
        self.save_button.add_class("unspeech-save")
        self.status = w.HTML(value="" if self.gold is not None else
                             "<i>Labels cannot be saved: no gold file was given.</i>")
        self.status.add_class("unspeech-status")
        self.save_button.on_click(lambda _: self.save_label())
        labelling = w.VBox([w.HTML("<b>Label the selected sentence</b>"
                                   + (f" (into {html.escape(str(self.gold.path))})" if self.gold else "")),
                            self.blind, self.label_sentence, self.label_stance, w.HBox(self.label_themes),
                            w.HBox([self.save_button, self.status])])
        self.tabs = w.Tab(children=[concordance, keyness, speech, groups])
        for index, title in enumerate(["Concordance", "Keyness", "Speech", "Groups"]):
            self.tabs.set_title(index, title)
        summary = (f"<b>{html.escape(plots.corpus_name(data.source))}</b>: {len(data.documents):,} speeches, "
                   f"{len(data.sentences):,} sentences; themes {', '.join(map(html.escape, data.themes))}; "
                   f"stance labels {', '.join(map(html.escape, data.stance_labels))}")
        self.widget = w.VBox([w.HTML(summary), self.tabs, labelling])
        self.widget.add_class("unspeech-explorer")
        if len(data.documents):
            self.show_speech(self.speech_id.value)

    # ------------------------------------------------------------------------------------------ concordance
    def _filter_values(self, change=None) -> None:
        field = self.filter_field.value
        self.filter_value.value = ""
        self.filter_value.options = () if field == _ANY else tuple(
            sorted(set(self.data.field(field)) - {""})[:2000])

    def current_query(self) -> Query:
        """The :class:`~analysis.explore.Query` the concordance's widgets describe."""
        where = {}
        if self.filter_field.value != _ANY and self.filter_value.value.strip():
            values = [value.strip() for value in self.filter_value.value.split(";") if value.strip()]
            where[self.filter_field.value] = values
        years = None
        if self.years is not None and self.years.value != (self.years.min, self.years.max):
            years = tuple(self.years.value)
        return Query(self.query.value.strip(), where=where, years=years,
                     theme=None if self.theme.value == _ANY else self.theme.value,
                     stance=None if self.stance.value == _ANY else self.stance.value, sort=self.sort.value)

    def turn_page(self, step: int):
        """The previous (``-1``) or next (``1``) page of the hits shown (of the query searched, whatever the
        widgets say since)."""
        if self.shown is None or self.page is None:
            return None
        if step > 0 and self.page.total is not None:
            return self.page  # the last page
        return self.search(page=max(self.page.number + step, 0), query=self.shown)

    def search(self, page: int = 0, query: Query | None = None):
        """Show one page of the concordance (``query``, default the widgets' own); returns the
        :class:`~analysis.explore.Page`."""
        if query is None and not self.query.value.strip():
            self.hits.value = "<i>Type a word, a wild*card or a phrase.</i>"
            return None
        query = query if query is not None else self.current_query()
        try:
            self.page = search(self.data, query, page=page, page_size=self.page_size)
        except InputError as error:
            self.page, self.shown, self.current = None, None, None
            self.hits.value = f"<b>Cannot search:</b> {html.escape(str(error))}"
            self.page_info.value = ""
            return None
        self.shown = query
        hits = self.page.hits
        first = page * self.page_size
        total = f"{first + len(hits) + 1:,}+" if self.page.total is None else f"{self.page.total:,}"
        self.page_info.value = (f"hits {first + 1:,}–{first + len(hits):,} of {total}" if len(hits)
                                else f"no hit{' on this page' if page else ''}")
        rows = []
        for number, hit in enumerate(hits.itertuples(index=False), start=1):
            text = self.data.sentence_text(hit.row)
            cues = [(a, b) for _, _, a, b in views.cue_spans(hit.cue)]
            score = "" if pd.isna(hit.score) else f"{hit.score:.2f}"
            rows.append(f"<tr><td>{number}</td><td>{html.escape(views.describe(self.data, hit.doc_id))}</td>"
                        f"<td>{highlight(text, [(hit.match_start, hit.match_end)], cues)}</td>"
                        f"<td>{html.escape(hit.themes)}</td><td>{html.escape(hit.stance)} {score}</td></tr>")
        self.hits.value = (f'{_TABLE_STYLE}<table class="unspeech-table"><tr><th>#</th><th>speech</th>'
                           f'<th>sentence</th><th>themes</th><th>stance</th></tr>{"".join(rows)}</table>')
        self.current = None
        if len(hits):
            self.hit_number.max = len(hits)
            if self.hit_number.value != 1:
                self.hit_number.value = 1  # selects it
            else:
                self.select_hit(1)
        else:
            self.label_sentence.value = "<i>No sentence selected.</i>"
        return self.page

    def select_hit(self, number: int) -> None:
        """Make hit ``number`` (from 1, on the page shown) the sentence the labelling panel labels."""
        if self.page is None or not 1 <= number <= len(self.page.hits):
            return
        self.select_row(int(self.page.hits["row"].iloc[number - 1]))

    def export(self, path: str | Path) -> Path | None:
        """Write every hit of the query shown to a CSV file (atomically; a relative path is relative to the
        project root, and the gold file is never overwritten); returns its path."""
        from .. import paths

        path = Path(path)
        path = path if path.is_absolute() else paths.PROJECT_ROOT.joinpath(path)
        if self.shown is None:
            self.page_info.value = "<i>Search first: the export writes the hits shown.</i>"
            return None
        if self.gold is not None and path.resolve() == self.gold.path.resolve():
            self.page_info.value = "<b>Not exported:</b> that is the gold file your labels are written to"
            return None
        try:
            table = all_hits(self.data, self.shown)
            write_csv(table.drop(columns="row"), path)
        except (InputError, OutputError) as error:
            self.page_info.value = f"<b>Not exported:</b> {html.escape(str(error))}"
            return None
        self.page_info.value = f"{len(table):,} hits written to {html.escape(str(path))}"
        return path

    # ------------------------------------------------------------------------------------------ keyness
    def _target_values(self) -> None:
        field = self.keyness_field.value
        values = [] if field is None else sorted(set(self.data.field(field)) - {""})
        self.keyness_targets.options = values[:500]

    def compute_keyness(self, targets=None):
        """Each selected value of the keyness field against the rest: the table, the chart, the term list."""
        field = self.keyness_field.value
        targets = list(targets if targets is not None else self.keyness_targets.value)
        try:
            self.keyness = views.group_keyness(self.data, field, targets)
        except InputError as error:
            self.keyness_table.value = f"<b>Cannot compare:</b> {html.escape(str(error))}"
            return None
        self._key_terms = views.key_terms(self.keyness, n=25)
        self._show_keyness()
        self.term.options = list(dict.fromkeys(self._key_terms["term"]))
        self.term.value = self.term.options[0] if self.term.options else None
        compared = self.keyness.groups[self.keyness.groups["compared"]]["group"]
        # one chart (the first group's): a scatter of every term takes about a second to draw
        self.keyness_chart.children = [_png(views.keyness_chart(self.data, self.keyness, group))
                                       for group in compared[:1]]
        return self.keyness

    def _show_keyness(self) -> None:
        if self.keyness is None:
            return
        by = self.keyness_sort.value
        shown = self._key_terms.sort_values(["group", by, "term"], ascending=[True, by == "term", True],
                                            kind="stable")
        shown = shown[["group", "term", "count_target", "count_reference", "log_ratio", "g2", "p"]]
        groups = self.keyness.groups
        sizes = "; ".join(f"{row.group}: {row.speeches:,} speeches against {row.reference:,}"
                          for row in groups[groups["compared"]].itertuples())
        notes = "".join(f"<p><i>{html.escape(w)}</i></p>" for w in self.keyness.warnings)
        self.keyness_table.value = (notes + f"<p>{html.escape(sizes)}. Terms each group uses more than the rest, "
                                    f"significant at p < {plots.KEYNESS_P:g} (G² ≥ {plots.KEYNESS_G2}), seen at "
                                    f"least {plots.KEYNESS_MIN_COUNT} times: the 25 of highest G² per group, "
                                    f"sorted by {by}.</p>" + _table_html(shown))

    def term_to_concordance(self, term: str | None = None) -> None:
        """Search the concordance for ``term`` (default: the one chosen) and show it."""
        term = term or self.term.value
        if not term:
            return
        self.tabs.selected_index = 0
        if self.query.value == term:
            self.search()
        else:
            self.query.value = term  # searches

    # ------------------------------------------------------------------------------------------ speech
    def show_speech(self, doc_id: str, *, selected: int | None = None) -> None:
        """Show one speech in the speech view."""
        doc_id = str(doc_id).strip()
        if doc_id not in self.data.row_of.index:
            self.speech.value = f"<i>No speech {html.escape(doc_id)!s} in this corpus.</i>" if doc_id else ""
            return
        self._speech_row = int(self.data.row_of[doc_id])
        if self.speech_id.value != doc_id:
            self.speech_id.value = doc_id
        self.speech.value = _TABLE_STYLE + views.speech_html(self.data, self._speech_row, selected=selected)

    def step_speech(self, step: int) -> None:
        """Show the previous (``-1``) or next (``1``) speech of the same meeting, country…"""
        if not len(self.data.documents):
            return
        within = self.speech_within.value
        row = getattr(self, "_speech_row", 0)
        if within:
            row = views.neighbour(self.data, row, within=within, step=step)
        else:  # no field to step within: the corpus's order
            row = min(max(row + step, 0), len(self.data.documents) - 1)
        self.show_speech(str(self.data.documents["doc_id"].iloc[row]))

    def select_sentence(self, sentence_id: int) -> None:
        """Make sentence ``sentence_id`` of the speech shown the one the labelling panel labels."""
        if not len(self.data.documents):
            return
        rows = self.data.sentence_rows(getattr(self, "_speech_row", 0))
        ids = self.data.sentences["sentence_id"].iloc[rows]
        found = ids.index[ids == sentence_id]
        if len(found):
            self.select_row(int(found[0]))

    def open_speech(self) -> None:
        """Open the selected sentence's speech in the speech view, the sentence outlined."""
        if self.current is None:
            return
        sentence = self.data.sentences.iloc[self.current]
        self.show_speech(sentence["doc_id"], selected=int(sentence["sentence_id"]))
        self.tabs.selected_index = 2

    # ------------------------------------------------------------------------------------------ labelling
    def select_row(self, index: int, *, reset: bool = True) -> None:
        """Make row ``index`` of ``data.sentences`` the sentence to label (the panel cleared unless ``reset`` is
        false); the labellers' labels are shown beside it unless the panel is blind."""
        self.current = index
        sentence = self.data.sentences.iloc[index]
        cues = [(a, b) for _, _, a, b in views.cue_spans(sentence["cue"])]
        where = f"{views.describe(self.data, sentence['doc_id'])}, sentence {int(sentence['sentence_id'])}"
        labelled = "" if self.blind.value else (f" — the labellers say {sentence['stance'] or '(none)'}, themes "
                                                f"{sentence['themes'] or '(none)'}")
        text = self.data.sentence_text(index)
        shown = html.escape(text) if self.blind.value else highlight(text, cues=cues)  # blind: no cue marked
        self.label_sentence.value = f"{_TABLE_STYLE}<p><small>{html.escape(where + labelled)}</small><br>{shown}</p>"
        if not reset:
            return
        # the panel starts blank: your reading, not the labellers', is what the gold file is for
        self.label_stance.value = _NO_STANCE
        for box in self.label_themes:
            box.value = False

    def save_label(self) -> dict | None:
        """Write the labelling panel's labels of the selected sentence to the gold file."""
        if self.gold is None or self.current is None:
            self.status.value = "<i>Select a sentence first.</i>" if self.gold else self.status.value
            return None
        sentence = self.data.sentences.iloc[self.current]
        document = self.data.documents.iloc[self.data.sentence_doc[self.current]]
        record = {**{k: v for k, v in document.items() if k in self.gold.metadata},
                  "doc_id": sentence["doc_id"], "sentence_id": int(sentence["sentence_id"]),
                  "start": int(sentence["start"]), "end": int(sentence["end"]),
                  "text": self.data.sentence_text(self.current)}
        themes = [box.description for box in self.label_themes if box.value]
        try:
            stance = None if self.label_stance.value == _NO_STANCE else self.label_stance.value
            row = self.gold.label(record, stance=stance, themes=themes)
        except (InputError, OutputError) as error:
            self.status.value = f"<b>Not saved:</b> {html.escape(str(error))}"
            return None
        self.status.value = (f"saved {html.escape(row['id'])}: {html.escape(row['stance'] or '(no stance)')}, "
                             f"{html.escape(row['themes'] or 'no theme')} ({len(self.gold.labels()):,} labelled)")
        return row

    # ------------------------------------------------------------------------------------------ groups
    def draw_groups(self):
        """Theme or stance shares by the chosen field, chart and table."""
        field, column = self.groups_field.value, self.groups_column.value
        try:
            shares = views.group_shares(self.data, field, column=column)
        except InputError as error:
            self.groups_table.value = f"<b>Cannot draw:</b> {html.escape(str(error))}"
            return None
        self.groups_chart.children = [_png(views.shares_chart(self.data, shares, field, column=column))]
        self.groups_table.value = _table_html(shares)
        return shares

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
