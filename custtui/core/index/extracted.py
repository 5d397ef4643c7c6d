"""What extracting a document's text gives, shared by the extraction and the text cache (which
loads the extraction code only on a miss)."""

from __future__ import annotations

from typing import NamedTuple

# A method's version (1 when not named): bump it when that method gives different text for the
# same file. TextCache extracts the texts of an older version again, and only those: a scan's OCR
# (minutes for a large archive) is kept while the PDF reading order changes.
METHOD_VERSIONS = {"pdf": 2, "docx": 2}  # 2: reading order (issue 13)


class Extracted(NamedTuple):
    """A document's text (possibly empty) and, when something stood in the way, a note saying what."""

    text: str
    method: str
    note: str | None = None
