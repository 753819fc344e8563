"""Read UN speeches and turn verbatim-record text into clean paragraphs and sentences.

Three layers, from pure to I/O, one concern per module:

* text cleaning (:func:`clean_speech`, :mod:`~analysis.corpus.clean`): parse and remove the speaker header
  (:mod:`~analysis.corpus.names`), drop stage notes and page artefacts, join hard line breaks into
  paragraphs, undo line-end hyphenation;
* segmentation (:func:`split_paragraphs`, :func:`split_sentences`, :func:`segment_sentences`,
  :mod:`~analysis.corpus.segment`): character offsets into the cleaned text, so that ``text[start:end]`` is
  the sentence;
* reading (:func:`read_corpus`, :mod:`~analysis.corpus.read`): a folder of ``.txt`` files (with optional
  ``metadata.csv``) or one ``.csv`` / ``.parquet`` table (one planner per format,
  :mod:`~analysis.corpus.formats`), bytes decoded (:mod:`~analysis.corpus.decode`), UN file-name conventions
  (:mod:`~analysis.corpus.names`), documents table built (:mod:`~analysis.corpus.documents`), bad files
  skipped and reported; a corpus at an fsspec URL made local first (:func:`local_corpus`,
  :mod:`~analysis.corpus.remote`).

Every public name of the submodules is available here (``from analysis.corpus import read_corpus``). A
module-level setting such as :data:`~analysis.corpus.decode.MAX_FILE_BYTES` is read where it is defined:
change it in its submodule, not here.
"""
from .decode import (
    CONTROL_CHARACTERS,
    MAX_FALLBACK_LETTER_SHARE,
    MAX_FILE_BYTES,
    SkipFile,
    decode_bytes,
    open_table_text,
    read_text_file,
)
from .names import STAGE_NOTE, Header, parse_file_name, parse_header
from .clean import KEEP_HYPHEN_PREFIXES, KEEP_HYPHEN_SUFFIXES, CleanSpeech, clean_speech
from .segment import (
    ABBREVIATIONS,
    NUMBER_ABBREVIATIONS,
    SENTENCE_STARTERS,
    iter_sentences,
    segment_sentences,
    split_paragraphs,
    split_sentences,
)
from .folders import Listing, list_folder
from .documents import (
    DERIVED_COLUMNS,
    DOCUMENT_COLUMNS,
    dedupe_records,
    document_columns,
    document_record,
    documents_frame,
    metadata_value,
    normalise_documents,
    skipped_frame,
)
from .sources import CorpusPlan, Source, SourceBatch
from .formats import READERS, plan_corpus, plan_csv, plan_file, plan_folder, plan_parquet, plan_table
from .read import Corpus, Read, assemble_corpus, read_batch, read_corpus, read_folder, read_source, read_table
from .remote import corpus_name, is_url, local_corpus

__all__ = [
    # remote
    "corpus_name", "is_url", "local_corpus",
    # decode
    "CONTROL_CHARACTERS", "MAX_FALLBACK_LETTER_SHARE", "MAX_FILE_BYTES", "SkipFile", "decode_bytes", "open_table_text",
    "read_text_file",
    # names
    "STAGE_NOTE", "Header", "parse_file_name", "parse_header",
    # clean
    "KEEP_HYPHEN_PREFIXES", "KEEP_HYPHEN_SUFFIXES", "CleanSpeech", "clean_speech",
    # segment
    "ABBREVIATIONS", "NUMBER_ABBREVIATIONS", "SENTENCE_STARTERS", "iter_sentences", "segment_sentences",
    "split_paragraphs", "split_sentences",
    # folders
    "Listing", "list_folder",
    # documents
    "DERIVED_COLUMNS", "DOCUMENT_COLUMNS", "dedupe_records", "document_columns", "document_record",
    "documents_frame", "metadata_value", "normalise_documents", "skipped_frame",
    # sources
    "CorpusPlan", "Source", "SourceBatch",
    # formats
    "READERS", "plan_corpus", "plan_csv", "plan_file", "plan_folder", "plan_parquet", "plan_table",
    # read
    "Corpus", "Read", "assemble_corpus", "read_batch", "read_corpus", "read_folder", "read_source", "read_table",
]
