"""The public corpora ``download`` knows: where they are on Dataverse and which of their files it needs."""
from __future__ import annotations

import dataclasses
import re

from ..errors import InputError

__all__ = ["DATASETS", "Dataset", "get_dataset", "role_of"]


@dataclasses.dataclass(frozen=True)
class Dataset:
    """A public corpus on Dataverse and the files of it that the project needs.

    Attributes
    ----------
    name : str
        The command-line name (``ungdc``, ``unsc``).
    doi : str
        Persistent identifier, ``doi:10.7910/DVN/...``.
    title, body, citation, licence : str
    roles : tuple of (role, pattern, required)
        Which listed files to fetch: a file whose name (its original name for ingested tables) fully matches
        ``pattern`` (case-insensitive) plays ``role``.
    """

    name: str
    doi: str
    title: str
    body: str
    citation: str
    licence: str
    roles: tuple[tuple[str, str, bool], ...]

    @property
    def landing_page(self) -> str:
        return "https://doi.org/" + self.doi.removeprefix("doi:")


DATASETS: dict[str, Dataset] = {
    "ungdc": Dataset(
        name="ungdc",
        doi="doi:10.7910/DVN/0TJX8Y",
        title="United Nations General Debate Corpus",
        body="UNGA",
        citation="Jankin, Baturo & Dasandi, 'Words to unite nations: The complete UN General Debate Corpus, "
                 "1946-present', Journal of Peace Research; Baturo, Dasandi & Mikhaylov, 'Understanding State "
                 "Preferences With Text As Data: Introducing the UN General Debate Corpus', Research & Politics 2017",
        licence="CC0 1.0",
        # The text archive (UNGDC_1946-2023.tgz in version 12), not the scanned PDFs (Raw_PDFs_*.tgz).
        roles=(("speeches", r"(?!.*pdf)ungdc.*\.(?:tgz|tar\.gz|tar|zip)", True),
               ("speakers", r"speakers_by_session\.xlsx", False)),
    ),
    "unsc": Dataset(
        name="unsc",
        doi="doi:10.7910/DVN/KGVSYH",
        title="The UN Security Council Debates",
        body="UNSC",
        citation="Schoenfeld, Eckhard, Patz, van Meegdenburg & Pires, 'The UN Security Council Debates', "
                 "Harvard Dataverse, doi:10.7910/DVN/KGVSYH (paper: arXiv:1906.10969)",
        licence="as stated on the Dataverse page (check before redistributing)",
        roles=(("speeches", r"speeches.*\.(?:tar|tar\.gz|tgz|zip)", True),
               ("speech_table", r"speakers?\.(?:tsv|tab|csv)", False),
               ("meeting_table", r"meta\.(?:tsv|tab|csv)", False)),
    ),
}



def get_dataset(dataset: Dataset | str) -> Dataset:
    """The :class:`Dataset` of that name (a :class:`Dataset` is returned as it is).

    Raises
    ------
    InputError
        If no dataset has that name.
    """
    if isinstance(dataset, Dataset):
        return dataset
    try:
        return DATASETS[dataset]
    except KeyError:
        raise InputError(f"unknown dataset {dataset!r}; choose one of {', '.join(sorted(DATASETS))}") from None


def role_of(dataset: Dataset, name: str) -> str | None:
    """The role a file of that name plays in ``dataset`` (the first of its roles whose pattern fully matches,
    ignoring case), or ``None``."""
    for role, pattern, _ in dataset.roles:
        if re.fullmatch(pattern, name, flags=re.IGNORECASE):
            return role
    return None
