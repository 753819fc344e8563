"""Tests for analysis/download/tables.py: the source tables read as the UNSC dataset writes them."""
from __future__ import annotations

from download_samples import SPEAKER_TSV, TOPIC

from analysis import download as dl


def test_read_table_rejoins_a_row_split_by_a_line_break_and_names_the_row_name_column(tmp_path):
    path = tmp_path / "speaker.tsv"
    path.write_text(SPEAKER_TSV)
    table = dl.read_table(path)
    assert list(table.columns[:3]) == ["row_id", "speech", "country"]
    assert len(table) == 4 and table.attrs["broken_rows"] == 0
    assert table.loc[1, "topic"] == TOPIC
    assert table.loc[1, "role_in_un"] == ""  # NA
