"""Sample data for the tests of analysis/download/: three UNSC speeches with the dataset's two tables as its
authors' R code writes them, a UNGDC archive layout, and archive builders. Written for these tests."""
from __future__ import annotations

import io
import tarfile
import zipfile

from dataverse_stub import StubFile

from analysis.download import DATASETS

UNSC_DOI = DATASETS["unsc"].doi
UNGDC_DOI = DATASETS["ungdc"].doi

# Three speeches of one meeting in the corpus's naming, written for these tests.
SPEECHES = {
    "UNSC_2014_SPV.7138_spch002.txt": "Mr. Churkin (Russian Federation) (spoke in Russian): We will vote against "
                                      "the draft resolution. Its authors know why. We regret that they went ahead.\n",
    "UNSC_2014_SPV.7138_spch017.txt": "The President (spoke in French): I shall now make a statement in my "
                                      "capacity as the representative of Luxembourg. We voted in favour.\n",
    "UNSC_2014_SPV.7138_spch018.txt": "Mr. Sergeyev (Ukraine): I thank the members of the Council. Ukraine "
                                      "asks for the support of every State. The referendum has no legal basis.\n",
}
# speaker.tsv as R writes it: no name for the row-name column, NA for missing values. The row of spch017 has a
# line break inside its topic (the corpus has one such meeting, S/PV.5225), and one row names no unpacked speech.
TOPIC = "Letter dated 28 February 2014 from the Permanent Representative of Ukraine (S/2014/136)"
SPEAKER_TSV = (
    "speech\tcountry\tspeaker\tparticipanttype\trole_in_un\tspv\tbasename\ttopic\tdate\tyear\tmonth\tday\ttokens\tfilename\n"
    f"1\t2\tRussian Federation\tMr. Churkin\tMentioned\tNA\t7138\tUNSC_2014_SPV.7138\t{TOPIC}\t15 March 2014\t2014\t3\t15\t662\tUNSC_2014_SPV.7138_spch002.txt\n"
    f"2\t17\tLuxembourg\tMs. Lucas\tThe President\tNA\t7138\tUNSC_2014_SPV.7138\tLetter dated 28 February 2014\n"
    f"from the Permanent Representative of Ukraine (S/2014/136)\t15 March 2014\t2014\t3\t15\t711\tUNSC_2014_SPV.7138_spch017.txt\n"
    f"3\t18\tUkraine\tMr. Sergeyev\tGuest\tNA\t7138\tUNSC_2014_SPV.7138\t{TOPIC}\t15 March 2014\t2014\t3\t15\t742\tUNSC_2014_SPV.7138_spch018.txt\n"
    f"4\t20\tRussian Federation\tMr. Churkin\tMentioned\tNA\t7138\tUNSC_2014_SPV.7138\t{TOPIC}\t15 March 2014\t2014\t3\t15\t577\tUNSC_2014_SPV.7138_spch020.txt\n"
)
META_TSV = ("basename\tdate\tnum_speeches\ttopic\tpressrelease\toutcome\n"
            "UNSC_2014_SPV.7138\t15 March 2014\t20\tItems relating to Ukraine\tSC/11319\tS/2014/189 (vetoed)\n")
UNGDC = {
    "UNGDC_1946-2023/TXT/Session 69 - 2014/KAZ_69_2014.txt": "Mr. President, Kazakhstan supports the United "
        "Nations. We call for cooperation against terrorism and the trafficking of drugs.\n",
    "UNGDC_1946-2023/TXT/Session 69 - 2014/._KAZ_69_2014.txt": "\x00\x05\x16\x07 macOS resource fork",
    "UNGDC_1946-2023/TXT/Session 01 - 1946/USA_01_1946.txt": "The United States welcomes this first general "
        "debate. We pledge our support to the Organization.\n",
    "UNGDC_1946-2023/README.txt": "Speeches by session.\n",
}


def tar_bytes(members: dict[str, str | bytes], *, mode: str = "w") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:
        folder = tarfile.TarInfo("speeches")
        folder.type = tarfile.DIRTYPE
        archive.addfile(folder)
        for name, text in members.items():
            data = text.encode() if isinstance(text, str) else text
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def zip_bytes(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def unsc_files(**speeches_options) -> list[StubFile]:
    tar = tar_bytes({f"speeches/{name}": text for name, text in SPEECHES.items()})
    return [StubFile(1, "speeches.tar", tar, **speeches_options), StubFile(2, "speaker.tsv", SPEAKER_TSV.encode()),
            StubFile(3, "meta.tsv", META_TSV.encode()), StubFile(4, "codebook.pdf", b"%PDF-1.4 not needed")]
