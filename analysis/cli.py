"""Command line: ``python -m analysis <command> ...``.

Errors in the user's input, arguments or configuration print one line naming the file, the line and the
problem, and exit with code 2; ``--debug`` shows the traceback instead.
"""
from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from typing import Callable, Sequence

from . import __version__, paths
from .errors import AnalysisError

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def _say(message: str) -> None:
    print(message, file=sys.stderr)


# ------------------------------------------------------------------------------------------------ run

def _add_run(subparsers) -> None:
    parser = subparsers.add_parser(
        "run", help="the pipeline: documents.csv, sentences.csv, terms.csv, skipped.csv",
        description="Read a corpus, clean and segment it, and write the analysis tables.")
    parser.add_argument("--corpus", type=Path, default=paths.DEFAULT_CORPUS,
                        help="folder of .txt speeches (with optional metadata.csv) or a .csv/.parquet table "
                             "with a 'text' column (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=paths.PROCESSED_DIR,
                        help="output folder (default: %(default)s)")
    parser.add_argument("--themes", type=Path, default=None, metavar="FILE",
                        help="theme lexicon YAML (default: config/themes.yml)")
    parser.add_argument("--jobs", type=_positive_int, default=None, metavar="N",
                        help="worker processes (default: every core); the tables do not depend on it")
    parser.add_argument("--no-cache", dest="use_cache", action="store_false",
                        help="neither read nor write the cache of parsed corpora and finished tables "
                             f"({_shown(paths.CACHE_DIR)})")
    _add_progress(parser)
    parser.set_defaults(handler=_cmd_run)


def _shown(path: Path) -> str:
    """A path relative to the project when it is inside it."""
    try:
        return str(path.relative_to(paths.PROJECT_ROOT))
    except ValueError:
        return str(path)


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

    result = run(args.corpus, args.out, themes_file=args.themes, progress=args.progress, jobs=args.jobs,
                 use_cache=args.use_cache)
    n_skipped = len(result.skipped)
    _say(f"read {len(result.documents)} speeches from {args.corpus}"
         f" ({n_skipped} skipped{'; see skipped.csv' if n_skipped else ''}),"
         f" {len(result.sentences)} sentences, {len(result.terms)} terms -> {args.out}")
    for note in result.manifest.get("warnings", []):
        _say(f"warning: {note}")
    return EXIT_OK


# ------------------------------------------------------------------------------------------------ compare

def _add_compare(subparsers) -> None:
    parser = subparsers.add_parser(
        "compare", help="keyness of one group of speeches against the rest (G2, log ratio, log-odds z)",
        description="Compare the speeches whose FIELD equals VALUE with all other speeches of the corpus: one "
                    "row per term with its counts and rates in both groups, Dunning's G2 (signed) and its "
                    "p-value, Hardie's log ratio and the Monroe-Colaresi-Quinn log-odds z; sorted by G2, the "
                    "target's over-used terms first.")
    parser.add_argument("--corpus", type=Path, default=paths.DEFAULT_CORPUS,
                        help="folder of .txt speeches (with optional metadata.csv) or a .csv/.parquet table "
                             "with a 'text' column (default: %(default)s)")
    parser.add_argument("--by", required=True, metavar="FIELD",
                        help="metadata field that defines the groups (e.g. meeting, country, year, body)")
    parser.add_argument("--target", required=True, metavar="VALUE",
                        help="value of FIELD that marks the target group (e.g. S/PV.7271)")
    parser.add_argument("-o", "--output", required=True, type=Path, metavar="OUT.csv",
                        help="CSV to write: term, count_target, count_reference, rate_target, rate_reference, "
                             "g2, p, log_ratio, z")
    parser.add_argument("--min-count", type=int, default=1, metavar="N",
                        help="keep terms seen at least N times in both groups together (default: %(default)s)")
    _add_progress(parser)
    parser.set_defaults(handler=_cmd_compare)


def _cmd_compare(args: argparse.Namespace) -> int:
    from .corpus import read_corpus
    from .errors import InputError
    from .io import write_csv
    from .terms import keyness

    if args.min_count < 1:
        raise InputError(f"--min-count must be at least 1, got {args.min_count}")
    corpus = read_corpus(args.corpus, progress=args.progress)
    if corpus.documents.empty:
        raise InputError(f"no speech could be read ({len(corpus.skipped)} skipped)", path=args.corpus)
    try:
        table = keyness(corpus.documents, by=args.by, target=args.target, min_count=args.min_count)
    except InputError as error:
        raise InputError(error.message, path=args.corpus) from None
    # p-values reach 1e-100 and below: scientific notation keeps them readable at a fixed width
    write_csv(table.assign(p=table["p"].map("{:.6e}".format)), args.output)
    n_target = int((corpus.documents[args.by].astype(str) == args.target).sum())
    over = table.loc[table["g2"] > 0, "term"].head(5).tolist()
    _say(f"compared {n_target} speeches with {args.by} = {args.target!r} against the other "
         f"{len(corpus.documents) - n_target}: {len(table)} terms -> {args.output}"
         + (f"; most over-used: {', '.join(over)}" if over else ""))
    return EXIT_OK


# ------------------------------------------------------------------------------------------------ main

def _add_progress(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--progress", dest="progress", action="store_true", default=None,
                       help="show progress bars (default: when standard error is a terminal)")
    group.add_argument("--no-progress", dest="progress", action="store_false")


#: Each entry adds one sub-command to the parser.
COMMANDS: list[Callable] = [_add_run, _add_compare]


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


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    debug = args.debug or "--debug" in argv
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
    except KeyboardInterrupt:
        _say("interrupted; outputs already written are complete, the rest were not touched")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
