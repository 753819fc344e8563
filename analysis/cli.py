"""Command line: ``python -m analysis <command> ...``.

Errors in the user's input, arguments or configuration print one line naming the file, the line and the
problem, and exit with code 2; ``--debug`` shows the traceback instead.
"""
from __future__ import annotations

import argparse
import re
import signal
import sys
import threading
import warnings
from pathlib import Path
from typing import Callable, Sequence

from . import __version__, paths
from .errors import AnalysisError

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
#: Warnings printed by ``run``; the rest are counted (manifest.json lists all).
MAX_WARNINGS_SHOWN = 5
#: Groups whose key terms ``compare`` prints without --target; the table holds them all.
MAX_GROUPS_SHOWN = 10


def _say(message: str) -> None:
    """One line on standard error; control characters (an ESC or a line break in a file name) shown escaped,
    so a hostile name cannot move the cursor, recolour the terminal or forge a second line."""
    print(_CONTROL.sub(lambda match: repr(match.group())[1:-1], message), file=sys.stderr)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


# ------------------------------------------------------------------------------------------------ run

def _add_run(subparsers) -> None:
    parser = subparsers.add_parser(
        "run", help="the pipeline: documents.csv, sentences.csv, terms.csv, skipped.csv",
        description="Read a corpus, clean and segment it, and write the analysis tables.")
    parser.add_argument("--corpus", type=_corpus_location, default=paths.DEFAULT_CORPUS,
                        help="folder of .txt speeches (with optional metadata.csv) or a .csv/.parquet table "
                             "with a 'text' column, as a path or any fsspec URL (file://, s3:// with the s3 "
                             "extra, ...) (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default: data/processed/<corpus name>/)")
    parser.add_argument("--themes", type=Path, default=None, metavar="FILE",
                        help="theme lexicon YAML (default: config/themes.yml)")
    parser.add_argument("--stance-method", choices=("rules", "model", "auto"), default="rules",
                        help="stance labeller: rules (default, fast), model, or auto (the best in "
                             "cross-validation on the gold set)")
    _add_procedural(parser)
    parser.add_argument("--jobs", type=_positive_int, default=None, metavar="N",
                        help="worker processes (default: every core); the tables do not depend on it")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="run the work as tasks on a Dask distributed cluster: its scheduler's address "
                             "(tcp://host:8786) or 'local' for a LocalCluster of --jobs workers on this machine "
                             "(default: $UNSPEECH_SCHEDULER, else local worker processes); same tables")
    parser.add_argument("--format", choices=["csv", "parquet"], default="csv",
                        help="csv (default): one file per table; parquet: documents/, sentences/ and terms/ as "
                             "partitioned Parquet datasets, each with a _SUCCESS marker written last")
    parser.add_argument("--no-cache", dest="use_cache", action="store_false",
                        help="neither read nor write the cache of parsed corpora and finished tables "
                             f"({_shown(paths.CACHE_DIR)})")
    _add_progress(parser)
    parser.set_defaults(handler=_cmd_run)


def _add_procedural(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--include-procedural", action="store_true",
                        help="keep the presiding officer's procedural turns (giving the floor, announcing letters "
                             "and votes), flagged 'procedural'; left out by default")


def _shown(path: Path) -> str:
    """A path relative to the project when it is inside it."""
    try:
        return str(path.relative_to(paths.PROJECT_ROOT))
    except ValueError:
        return str(path)


def _corpus_location(value: str) -> str | Path:
    """A corpus path, or a URL kept as given (a Path would fold its ``//``)."""
    from .corpus.remote import is_url

    return value if is_url(value) else Path(value)


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def _cmd_run(args: argparse.Namespace) -> int:
    from .pipeline import run

    from .corpus.remote import corpus_name, is_url

    corpus = args.corpus if is_url(args.corpus) else paths.resolve_input(args.corpus)
    out = paths.default_output_dir(corpus_name(corpus)) if args.out is None else args.out
    result = run(args.corpus, out, themes_file=args.themes, stance_method=args.stance_method,
                 include_procedural=args.include_procedural, progress=args.progress, jobs=args.jobs,
                 use_cache=args.use_cache, scheduler=args.scheduler, format=args.format)
    n_skipped = len(result.skipped)
    left_out = result.manifest.get("n_procedural_left_out", 0)
    _say(f"read {len(result.documents) + left_out} speeches from {args.corpus}"
         f" ({n_skipped} skipped{'; see skipped.csv' if n_skipped else ''}),"
         + (f" left out {left_out} procedural turns of the presiding officer (--include-procedural keeps them),"
            if left_out else "")
         + f" {len(result.sentences)} sentences, {len(result.terms)} terms -> {_shown(out)}")
    unmatched = result.manifest.get("unmatched_countries", {})
    if unmatched:
        top = ", ".join(f"{name} {count}" for name, count in list(unmatched.items())[:5])
        _say(f"{sum(unmatched.values())} speeches by {len(unmatched)} speakers that are not UN member states or "
             f"could not be matched (no iso3, un_group, council_status): {top}"
             + (", ..." if len(unmatched) > 5 else "") + "; all are listed in manifest.json")
    notes = result.manifest.get("warnings", [])
    for note in notes[:MAX_WARNINGS_SHOWN]:
        _say(f"warning: {note}")
    if len(notes) > MAX_WARNINGS_SHOWN:  # a corpus of thousands of Windows-1252 files would flood the terminal
        _say(f"warning: ... and {len(notes) - MAX_WARNINGS_SHOWN} more (all are listed in manifest.json)")
    return EXIT_OK


# ------------------------------------------------------------------------------------------------ compare

def _add_compare(subparsers) -> None:
    parser = subparsers.add_parser(
        "compare", help="keyness of groups of speeches: one against the rest, every group, two groups, within strata",
        description="Which terms a group of speeches uses more, or less, than others: one row per term with its "
                    "counts and rates in both groups, Dunning's G2 (signed) and its p-value, Hardie's log ratio "
                    "and the Monroe-Colaresi-Quinn log-odds z, sorted by G2, the target's over-used terms first. "
                    "--target VALUE: the speeches whose FIELD equals VALUE against all the others; with "
                    "--reference B, against those whose FIELD equals B. Without --target: every group against "
                    "the rest, in one table with a 'group' column. --within FIELD2 compares inside each value of "
                    "FIELD2 (a meeting, a year) and pools them with the Cochran-Mantel-Haenszel test and the "
                    "Mantel-Haenszel log odds ratio (columns strata, chi2_mh, p, log_odds_mh, se, z), so that a "
                    "group's vocabulary is not confused with the agenda of the meetings it spoke in. The fields "
                    "iso3, un_group and council_status are added from the country and year when the corpus "
                    "lacks them.")
    parser.add_argument("--corpus", type=Path, default=paths.DEFAULT_CORPUS,
                        help="folder of .txt speeches (with optional metadata.csv) or a .csv/.parquet table "
                             "with a 'text' column (default: %(default)s)")
    parser.add_argument("--by", required=True, metavar="FIELD",
                        help="metadata field that defines the groups (e.g. meeting, country, year, council_status, "
                             "un_group)")
    parser.add_argument("--target", default=None, metavar="VALUE",
                        help="value of FIELD that marks the target group (e.g. S/PV.7271); without it every "
                             "group is compared with the rest")
    parser.add_argument("--reference", default=None, metavar="VALUE",
                        help="value of FIELD that marks the reference group (default: every other speech); "
                             "needs --target")
    parser.add_argument("--within", default=None, metavar="FIELD",
                        help="compare inside each value of this field (e.g. meeting or year) and pool the strata")
    parser.add_argument("-o", "--output", required=True, type=Path, metavar="OUT.csv",
                        help="CSV to write: [group,] term, count_target, count_reference, rate_target, "
                             "rate_reference, g2, p, log_ratio, z (with --within: ... strata, chi2_mh, p, "
                             "log_odds_mh, se, z)")
    parser.add_argument("--min-count", type=int, default=1, metavar="N",
                        help="keep terms seen at least N times in both groups together (default: %(default)s)")
    parser.add_argument("--min-speeches", type=int, default=None, metavar="N",
                        help="without --target, skip groups of fewer than N speeches, with a warning "
                             "(default: 2)")
    _add_procedural(parser)
    _add_progress(parser)
    parser.set_defaults(handler=_cmd_compare)


def _cmd_compare(args: argparse.Namespace) -> int:
    from .corpus import read_corpus
    from .errors import InputError
    from .io import write_csv
    from .terms.groups import MIN_GROUP_SPEECHES, compare_all_groups, compare_two_groups
    from .membership import with_un_metadata
    from .plots import KEYNESS_MIN_COUNT, KEYNESS_P
    from .terms import keyness
    from .views import significant_terms, small_groups_warning

    if args.min_count < 1:
        raise InputError(f"--min-count must be at least 1, got {args.min_count}")
    if args.reference is not None and args.target is None:
        raise InputError("--reference needs --target: name the two groups to set against each other")
    if args.min_speeches is not None and args.target is not None:
        raise InputError("--min-speeches applies to every-group comparisons: drop it, or drop --target")
    min_speeches = MIN_GROUP_SPEECHES if args.min_speeches is None else args.min_speeches
    if min_speeches < 1:
        raise InputError(f"--min-speeches must be at least 1, got {min_speeches}")
    corpus = read_corpus(args.corpus, progress=args.progress)
    documents = corpus.documents
    if not args.include_procedural:
        documents = documents[~documents["procedural"]]
    if documents.empty:
        raise InputError(f"no speech could be read ({len(corpus.skipped)} skipped)", path=args.corpus)
    documents = with_un_metadata(documents.reset_index(drop=True))
    min_count = max(args.min_count, KEYNESS_MIN_COUNT)
    score = "g2" if args.within is None else "chi2_mh"
    try:
        if args.target is None:
            result = compare_all_groups(documents, by=args.by, within=args.within, min_speeches=min_speeches,
                                        min_count=args.min_count)
        elif args.reference is None and args.within is None:
            result = None  # the original design, through the original function: its table is unchanged
            table = keyness(documents, by=args.by, target=args.target, min_count=args.min_count)
        else:
            result = compare_two_groups(documents, by=args.by, target=args.target, reference=args.reference,
                                        within=args.within, min_count=args.min_count)
    except InputError as error:
        raise InputError(error.message, path=args.corpus) from None
    if result is not None:
        table = result.table
    # p-values reach 1e-100 and below: scientific notation keeps them readable at a fixed width
    write_csv(table.assign(p=table["p"].map("{:.6e}".format)), args.output)
    within = f" within each {args.within}" if args.within else ""
    if args.target is None:
        compared = result.groups[result.groups["compared"]]
        _say(f"compared {len(compared)} groups of {args.by}, each against the rest{within}: "
             f"{len(table)} rows -> {args.output}")
        for row in compared.head(MAX_GROUPS_SHOWN).itertuples():
            significant = significant_terms(table[table["group"] == row.group], p=KEYNESS_P, min_count=min_count,
                                            column=score)
            over = significant.loc[significant[score] > 0, "term"].head(5).tolist()
            _say(f"  {row.group} ({row.speeches} speeches"
                 + (f", {row.strata} {args.within}s" if args.within else "") + f"): "
                 f"{(significant[score] > 0).sum()} terms used significantly more, {(significant[score] < 0).sum()} less"
                 + (f"; most over-used: {', '.join(over)}" if over else ""))
        if len(compared) > MAX_GROUPS_SHOWN:
            _say(f"  ... and {len(compared) - MAX_GROUPS_SHOWN} more groups (all are in {args.output})")
        _say(f"  (p < {KEYNESS_P:g}, seen at least {min_count} times)")
        for note in result.warnings:
            _say(f"warning: {note}")
        return EXIT_OK
    if result is None:
        n_target = int((documents[args.by].astype(str) == args.target).sum())
        n_reference = len(documents) - n_target
    else:
        n_target, n_reference = (int(result.groups[column].iloc[0]) for column in ("speeches", "reference"))
    against = (f"the {n_reference} with {args.by} = {args.reference!r}" if args.reference is not None
               else f"the other {n_reference}")
    significant = significant_terms(table, p=KEYNESS_P, min_count=min_count, column=score)
    over = significant.loc[significant[score] > 0, "term"].head(5).tolist()
    _say(f"compared {n_target} speeches with {args.by} = {args.target!r} against {against}{within}"
         + (f" ({int(result.groups['strata'].iloc[0])} {args.within}s where both spoke)" if args.within else "")
         + f": {len(table)} terms -> {args.output}; "
         f"{(significant[score] > 0).sum()} used significantly more and {(significant[score] < 0).sum()} less "
         f"(p < {KEYNESS_P:g}, seen at least {min_count} times)"
         + (f"; most over-used: {', '.join(over)}" if over else ""))
    for note in [] if result is None else result.warnings:
        _say(f"warning: {note}")
    warning = small_groups_warning(n_target, n_reference)
    if warning:
        _say(f"warning: {warning}")
    return EXIT_OK


# ------------------------------------------------------------------------------------------------ label

def _add_stance_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--gold", type=Path, nargs="+", default=list(paths.GOLD_STANCE_TRAIN_FILES), metavar="FILE",
                        help="hand-labelled training sentences (default: %(default)s)")
    parser.add_argument("--codebook", type=Path, default=None, metavar="FILE",
                        help="stance cue file (default: config/stance.yml)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the cross-validation folds (default: 0)")


def _add_label(subparsers) -> None:
    parser = subparsers.add_parser(
        "label", help="label sentences: adds themes, stance, cue (evidence) and score",
        description="Read a CSV with columns id and text (other columns are kept) and write it with four more: "
                    "themes (;-joined), stance (support, oppose, condemn or neutral), cue (the evidence, "
                    "label:cue@start-end) and score (calibrated probability of the stance).")
    parser.add_argument("input", type=Path, metavar="INPUT.csv")
    parser.add_argument("-o", "--output", required=True, type=Path, metavar="OUTPUT.csv")
    parser.add_argument("--method", choices=("rules", "model", "auto"), default="auto",
                        help="rules, the trained model, or whichever scored best in cross-validation on the "
                             "gold set (default: %(default)s)")
    parser.add_argument("--themes", type=Path, default=None, metavar="FILE",
                        help="theme lexicon YAML (default: config/themes.yml)")
    _add_stance_options(parser)
    parser.set_defaults(handler=_cmd_label)


def _read_sentences(path: Path):
    """The ``label`` input: a CSV with ``id`` and ``text``, every column read as text."""
    from .errors import InputError
    from .io import read_text_csv

    frame = read_text_csv(path)
    missing = [column for column in ("id", "text") if column not in frame.columns]
    if missing:
        raise InputError(f"missing column {missing[0]!r} (the input needs id and text)", path=path, line=1)
    added = [column for column in ("themes", "stance", "cue", "score") if column in frame.columns]
    if added:
        raise InputError(f"the input already has a {added[0]!r} column, which label would overwrite", path=path, line=1)
    return frame


def _cmd_label(args: argparse.Namespace) -> int:
    from functools import partial

    from .io import write_csv
    from .stance import label_sentences, train_stance_labeller
    from .themes import label_themes, load_lexicon

    frame = _read_sentences(args.input)
    lexicon = load_lexicon(args.themes)
    labeller = train_stance_labeller(method=args.method, gold=args.gold, codebook=args.codebook, seed=args.seed)
    labelled = label_sentences(frame, labeller=labeller, themes=partial(label_themes, lexicon=lexicon))
    write_csv(labelled, args.output)
    counts = labelled["stance"].value_counts()
    how = labeller.method if labeller.method == args.method else f"{labeller.method} (chosen by {args.method})"
    _say(f"labelled {len(labelled)} sentences with {how}: "
         + ", ".join(f"{counts.get(label, 0)} {label}" for label in labeller.codebook.labels)
         + f" -> {args.output}")
    if "note" in labeller.selection:
        _say(f"warning: {labeller.selection['note']}")
    return EXIT_OK


# ------------------------------------------------------------------------------------------------ evaluate

def _add_evaluate(subparsers) -> None:
    parser = subparsers.add_parser(
        "evaluate", help="score the stance labellers against the gold set (cross-validation and blind split)",
        description="Per-label precision, recall and F1, macro-F1, F_avg, confusion matrices and the majority-class "
                    "baseline for rules, model and auto: stratified cross-validation (grouped by debate, fixed "
                    "seed) on the training set, and the blind split scored separately. Prints a Markdown report "
                    "and writes it with CSV tables into --out.")
    parser.add_argument("--blind", type=Path, default=paths.GOLD_BLIND_FILE, metavar="FILE",
                        help="blind sentences (default: %(default)s)")
    parser.add_argument("--no-blind", action="store_true", help="cross-validation on the training set only")
    parser.add_argument("--out", type=Path, default=paths.PROCESSED_DIR / "evaluation", metavar="DIR",
                        help="folder for stance_evaluation.md and the CSV tables (default: %(default)s)")
    parser.add_argument("--methods", default="rules,model,auto",
                        help="comma-separated methods to score (default: %(default)s)")
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds (default: %(default)s)")
    parser.add_argument("--themes", type=Path, default=None, metavar="FILE",
                        help="theme lexicon YAML whose themes are scored (default: config/themes.yml)")
    parser.add_argument("--theme-gold", type=Path, nargs="+", default=None, metavar="FILE",
                        help="sentences hand-labelled for the lexicon's themes (default: the blind file for the "
                             "shipped lexicon; none for another, whose theme evaluation is then skipped)")
    _add_stance_options(parser)
    parser.set_defaults(handler=_cmd_evaluate)


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from .errors import InputError
    from .io import ensure_output_dir, write_csv, write_text
    from .stance import METHODS, evaluate_stance, format_evaluation, read_gold
    from .themes import evaluate_lexicon, format_lexicon_evaluation, load_lexicon

    methods = [method.strip() for method in args.methods.split(",") if method.strip()]
    unknown = [method for method in methods if method not in METHODS]
    if unknown or not methods:
        raise InputError(f"unknown method {unknown[0] if unknown else args.methods!r} in --methods "
                         f"(valid: {', '.join(METHODS)})")
    if args.folds < 2:
        raise InputError(f"--folds must be at least 2, got {args.folds}")
    lexicon = load_lexicon(args.themes)
    train = read_gold(args.gold, codebook=args.codebook)
    blind = None if args.no_blind else read_gold(args.blind, codebook=args.codebook)
    ensure_output_dir(args.out)  # before the cross-validation, not after it
    theme_gold = _theme_gold(args, lexicon)  # a gold theme the lexicon lacks fails before any work
    evaluation = evaluate_stance(train, blind, methods=methods, n_splits=args.folds, seed=args.seed,
                                 codebook=args.codebook)
    report = format_evaluation(evaluation)
    if theme_gold is not None:
        scores = evaluate_lexicon(theme_gold, lexicon=lexicon, seed=args.seed)
        write_csv(scores, args.out / "theme_evaluation.csv")
        report += "\n\n" + format_lexicon_evaluation(scores, lexicon=lexicon, gold=theme_gold)
    write_csv(evaluation.summary, args.out / "stance_summary.csv")
    write_csv(evaluation.metrics, args.out / "stance_metrics.csv")
    write_csv(evaluation.confusion, args.out / "stance_confusion.csv")
    write_csv(evaluation.predictions, args.out / "stance_predictions.csv")
    write_csv(evaluation.selection, args.out / "stance_selection.csv")
    write_text(args.out / "stance_evaluation.md", report + "\n")
    print(report)
    _say(f"evaluated {', '.join(methods)} on {len(train)} training"
         + ("" if blind is None else f" and {len(blind)} blind") + f" sentences -> {args.out}")
    return EXIT_OK


def _theme_gold(args: argparse.Namespace, lexicon):
    """The gold sentences the lexicon's themes are scored on, their themes checked against the lexicon; None
    (and a line saying why) when there are none for it."""
    from .gold import read_gold

    files = args.theme_gold
    if files is None and args.themes is None and not args.no_blind:
        files = [args.blind]  # the shipped lexicon is scored on the blind file, which it was never tuned on
    if files is None:
        _say(f"theme evaluation skipped: no gold sentences for the themes of {lexicon.source} "
             f"({', '.join(lexicon.names)}); give them with --theme-gold FILE")
        return None
    return read_gold(files, themes=lexicon.names, require=("themes",))


# ------------------------------------------------------------------------------------------------ agree

def _add_agree(subparsers) -> None:
    parser = subparsers.add_parser(
        "agree", help="agreement of two annotators' gold files: raw agreement and Cohen's kappa per label",
        description="Match the sentences of two gold files (on doc_id and sentence_id, else on the text) and print, "
                    "for stance (one label of several values, on the sentences both labelled for stance) and each "
                    "theme of the lexicon (yes/no), the number of sentences, the share labelled alike and Cohen's "
                    "kappa ('-' where undefined: one label only).")
    parser.add_argument("first", type=Path, metavar="A.csv")
    parser.add_argument("second", type=Path, metavar="B.csv")
    parser.add_argument("--codebook", type=Path, default=None, metavar="FILE",
                        help="stance cue file (default: config/stance.yml)")
    parser.add_argument("--themes", type=Path, default=None, metavar="FILE",
                        help="theme lexicon YAML (default: config/themes.yml)")
    parser.set_defaults(handler=_cmd_agree)


def _cmd_agree(args: argparse.Namespace) -> int:
    from .annotate import agreement, format_agreement

    table = agreement(args.first, args.second, codebook=args.codebook, lexicon=args.themes)
    print(format_agreement(table))
    _say(f"compared {args.first} and {args.second}: {table.attrs['n_both']} sentences in both, "
         f"{table['n'].iat[0]} of them labelled for stance in both")
    return EXIT_OK


# ------------------------------------------------------------------------------------------------ figures

#: The values the notebooks' ``parameters`` cells hold (tests/test_notebooks.py checks they agree).
DEFAULT_TOP_N = 20


def _notebook_parameters(corpus: Path | None, top_n: int, figures_dir: Path, themes: Path | None = None) -> dict:
    """The parameters papermill injects; without a corpus each notebook keeps its own default, and without a
    lexicon the shipped one."""
    values = {"top_n": top_n, "out_dir": str(figures_dir.resolve())}
    if corpus is not None:
        values["corpus"] = str(paths.resolve_input(corpus).resolve())
    if themes is not None:
        values["themes_file"] = str(paths.resolve_input(themes).resolve())
    return values


def _settings(settings: list[str], notebooks: list[Path]) -> dict:
    """``NAME=VALUE`` strings as notebook parameters; a name no notebook declares is an error."""
    import ast

    import nbformat

    from .errors import InputError
    from .reports import declared_parameters

    declared = sorted({name for path in notebooks
                       for name in declared_parameters(nbformat.read(path, as_version=4))})
    values = {}
    for setting in settings:
        name, equals, text = setting.partition("=")
        name = name.strip()
        if not equals or not name.isidentifier():
            raise InputError(f"--set expects NAME=VALUE, got {setting!r}")
        if name not in declared:
            raise InputError(f"no notebook has a parameter {name!r}; parameters: {', '.join(declared)}")
        if name in ("corpus", "themes", "top_n", "out_dir"):
            raise InputError(f"set {name} with --{name.replace('_', '-').replace('out-dir', 'figures-dir')}")
        try:
            values[name] = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            values[name] = text
    return values


def _add_figures(subparsers) -> None:
    parser = subparsers.add_parser(
        "figures", help="execute the notebooks against a corpus: figures, executed notebooks, HTML reports",
        description="Execute the numbered notebooks in notebooks/ with papermill against a corpus. Each "
                    "notebook writes its figures (PNG, SVG and a CSV of the plotted numbers); the executed "
                    "notebooks and their HTML renderings go to the reports folder. Without --out: figures/ "
                    "and reports/; with --out DIR: DIR/figures and DIR/reports.")
    parser.add_argument("--corpus", type=Path, default=None,
                        help="folder of .txt speeches, one .txt or a .csv/.parquet table for every notebook "
                             "(default: each notebook's own: the sample speech for 00, six UN General Debate "
                             "sessions for the others)")
    parser.add_argument("--themes", type=Path, default=None, metavar="FILE",
                        help="theme lexicon YAML for every notebook (default: config/themes.yml)")
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="write figures to DIR/figures and reports to DIR/reports")
    parser.add_argument("--figures-dir", type=Path, default=None, metavar="DIR",
                        help="figure folder (overrides --out; default: figures/)")
    parser.add_argument("--reports-dir", type=Path, default=None, metavar="DIR",
                        help="folder of executed notebooks and HTML reports (overrides --out; default: reports/)")
    parser.add_argument("--top-n", type=int, default=DEFAULT_TOP_N, metavar="N",
                        help="how many countries, terms, topics… the charts and tables show (default: %(default)s)")
    parser.add_argument("--set", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                        help="set another notebook parameter, e.g. --set by=meeting --set target=S/PV.7271 "
                             "(numbers and None are read as Python values); repeatable")
    parser.add_argument("--notebook", action="append", default=[], metavar="NAME",
                        help="run only this notebook (its number, e.g. 01, or its name); repeatable")
    parser.add_argument("--show-code", action="store_true", help="include the code cells in the HTML reports")
    parser.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                        help="give up on a cell that runs longer than this (default: no limit)")
    parser.add_argument("--in-place", action="store_true",
                        help="also save the executed notebooks over notebooks/*.ipynb (only with the default "
                             "corpus, top-n and figure folder): how the committed notebooks are refreshed")
    parser.set_defaults(handler=_cmd_figures)


def _cmd_figures(args: argparse.Namespace) -> int:
    from .errors import InputError
    from .reports import find_notebooks, run_notebooks

    if args.top_n < 1:
        raise InputError(f"--top-n must be at least 1, got {args.top_n}")
    if args.corpus is not None and not paths.resolve_input(args.corpus).exists():
        raise InputError("corpus not found (give a folder of .txt speeches, one .txt or a .csv/.parquet table)",
                         path=args.corpus)
    if args.themes is not None:
        from .themes import load_lexicon

        load_lexicon(paths.resolve_input(args.themes))  # a missing or broken lexicon fails here, not in a notebook
    figures_dir = args.figures_dir or (args.out / "figures" if args.out else paths.FIGURES_DIR)
    reports_dir = args.reports_dir or (args.out / "reports" if args.out else paths.REPORTS_DIR)
    notebooks = find_notebooks(paths.NOTEBOOKS_DIR, select=args.notebook)
    parameters = _notebook_parameters(args.corpus, args.top_n, figures_dir, args.themes)
    parameters.update(_settings(args.settings, notebooks))
    if parameters == _notebook_parameters(None, DEFAULT_TOP_N, paths.FIGURES_DIR):
        parameters = None  # run as written, so the default reports equal the committed notebooks
    elif args.in_place:
        raise InputError("--in-place saves the notebooks as they run on their defaults; "
                         "drop --corpus, --themes, --top-n, --out and --figures-dir")
    _say(f"running {len(notebooks)} notebook{'s' if len(notebooks) != 1 else ''} on "
         f"{args.corpus or 'their default corpora'}"
         f" -> figures: {figures_dir}, reports: {reports_dir}")
    results = run_notebooks(notebooks, reports_dir=reports_dir, parameters=parameters, in_place=args.in_place,
                            show_code=args.show_code, timeout=args.timeout, report=_say)
    failed = [r for r in results if not r.ok]
    n_figures = sum(r.n_figures for r in results)
    _say(f"{len(results) - len(failed)} of {len(results)} notebooks ran, {n_figures} figures written"
         + (f"; failed: {', '.join(r.name for r in failed)}" if failed else ""))
    return EXIT_ERROR if failed else EXIT_OK


# ------------------------------------------------------------------------------------------------ download

def _add_download(subparsers) -> None:
    from .download import DATASETS, DEFAULT_SERVER, SERVER_VARIABLE

    parser = subparsers.add_parser(
        "download", help="fetch a full public corpus from Harvard Dataverse (checksummed) and unpack it",
        description="Fetch the UN General Debate Corpus (ungdc, doi:10.7910/DVN/0TJX8Y) or the UN Security "
                    "Council Debates (unsc, doi:10.7910/DVN/KGVSYH) from Dataverse, verify each file against "
                    "its listed checksum, resume interrupted downloads, and unpack the speeches into a folder "
                    "that `run --corpus` reads: one folder per year with a metadata.csv.")
    parser.add_argument("dataset", choices=sorted(DATASETS), help="which corpus")
    parser.add_argument("--dest", type=Path, default=None, metavar="DIR",
                        help=f"where to put it (default: {_shown(paths.EXTERNAL_DIR)}/<dataset>)")
    parser.add_argument("--server", default=None, metavar="URL",
                        help=f"Dataverse server (default: ${SERVER_VARIABLE} or {DEFAULT_SERVER})")
    parser.add_argument("--list", dest="list_only", action="store_true",
                        help="list the dataset's files and sizes and what would be fetched; download nothing")
    parser.add_argument("--from-files", type=Path, default=None, metavar="PATH",
                        help="unpack files you downloaded by hand (a folder, or the zip bundle) instead of "
                             "fetching them; nothing is verified")
    parser.add_argument("--format", dest="output_format", choices=("txt", "parquet"), default="txt",
                        help="txt: year folders of .txt files with metadata.csv (default); parquet: one table "
                             "with a 'text' column")
    parser.add_argument("--timeout", type=_positive_int, default=60, metavar="SECONDS",
                        help="network timeout (default: %(default)s)")
    _add_progress(parser)
    parser.set_defaults(handler=_cmd_download)


def _size(size: int | None) -> str:
    if size is None:
        return "?"
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "B" else f"{size:,.1f} {unit}"
        size /= 1024
    return str(size)  # pragma: no cover


def _cmd_download(args: argparse.Namespace) -> int:
    from .download import download, list_files, select_files
    from .errors import InputError

    progress = sys.stderr.isatty() if args.progress is None else args.progress
    if args.list_only:
        if args.from_files is not None:
            raise InputError("--list shows what the server offers; it does not go with --from-files")
        listing = list_files(args.dataset, server=args.server, timeout=args.timeout)
        chosen, notes = select_files(listing)
        roles = {f.id: role for role, files in chosen.items() for f in files}
        print(f"{listing.dataset.title} ({listing.dataset.doi}), version {listing.version or '?'}"
              f"{', licence ' + listing.licence if listing.licence else ''}, on {listing.server}:")
        width = max(len(f.name) for f in listing.files) if listing.files else 4
        for data_file in listing.files:
            role = roles.get(data_file.id)
            print(f"  {data_file.name:<{width}}  {_size(data_file.size):>10}  "
                  f"{data_file.checksum_type or 'no checksum':<7}  {'fetch: ' + role if role else '-'}")
        total = sum(f.size or 0 for files in chosen.values() for f in files)
        print(f"{sum(map(len, chosen.values()))} of {len(listing.files)} files would be fetched ({_size(total)})")
        for note in notes:
            _say(f"note: {note}")
        return EXIT_OK
    result = download(args.dataset, dest=args.dest, server=args.server, from_files=args.from_files,
                      output_format=args.output_format, progress=progress, timeout=args.timeout, report=_say)
    first, last = result.years
    _say(f"unpacked {result.n_speeches:,} speeches ({first if first == last else f'{first}-{last}'}) "
         f"into {_shown(result.corpus)}")
    _say(f"to analyse them: python -m analysis run --corpus {_shown(result.corpus)} "
         f"--out {_shown(paths.PROCESSED_DIR / result.dataset.name)}")
    return EXIT_OK


# ------------------------------------------------------------------------------------------------ main

def _add_progress(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--progress", dest="progress", action="store_true", default=None,
                       help="show progress bars (default: when standard error is a terminal)")
    group.add_argument("--no-progress", dest="progress", action="store_false")


#: Each entry adds one sub-command to the parser.
COMMANDS: list[Callable] = [_add_run, _add_compare, _add_label, _add_evaluate, _add_agree, _add_figures,
                            _add_download]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Topic and stance analysis of United Nations speeches.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in COMMANDS:
        add(subparsers)
    return parser


class _Terminated(KeyboardInterrupt):
    """SIGTERM as an exception, so that a terminated run removes its temporary files like Ctrl-C does."""


def _raise_terminated(signum, frame) -> None:
    raise _Terminated(signum)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    debug = args.debug or "--debug" in argv
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous_sigterm = signal.signal(signal.SIGTERM, _raise_terminated) if in_main_thread else None
    try:
        with warnings.catch_warnings():
            if not debug:
                warnings.simplefilter("ignore", category=FutureWarning)
            return args.handler(args)
    except AnalysisError as error:
        if debug:
            raise
        _say(f"error: {error}")
        return EXIT_USAGE
    except KeyboardInterrupt as interrupt:
        _say("interrupted; outputs already written are complete, the rest were not touched")
        return 128 + interrupt.args[0] if isinstance(interrupt, _Terminated) else EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except OSError as error:  # the environment, not the code: a full disk, a vanished folder
        if debug:
            raise
        _say(f"error: {f'{error.filename}: ' if error.filename else ''}{error.strerror or error}")
        return EXIT_USAGE
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous_sigterm)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
