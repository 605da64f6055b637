"""Reading an uploaded file safely: reject what is not text, find its encoding, stream its lines.

Only the first `SAMPLE_BYTES` are ever read to decide; the rest is streamed line by line.
Text without a byte-order mark is decoded line by line as UTF-8, falling back to Windows-1252
(a superset of Latin-1) for lines that are not valid UTF-8, so one stray accented name from an
old export does not garble the whole file.
"""

import codecs
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from connections.importing.records import NotAContactFile

SAMPLE_BYTES = 64 * 1024
EIGHT_BIT = "8bit"  # UTF-8 per line, Windows-1252 / Latin-1 where a line is not UTF-8

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Magic numbers of files people upload by mistake, with what to tell them.
_NOT_CONTACTS = (
    (b"\x89PNG\r\n\x1a\n", "This is a PNG image, not a contact file."),
    (b"\xff\xd8\xff", "This is a JPEG image, not a contact file."),
    (b"GIF87a", "This is a GIF image, not a contact file."),
    (b"GIF89a", "This is a GIF image, not a contact file."),
    (b"%PDF-", "This is a PDF document, not a contact file."),
    (
        b"PK\x03\x04",
        "This is a zip archive or an Office document. Unzip it, or save the spreadsheet "
        "as CSV, and upload the .vcf or .csv file inside.",
    ),
    (b"PK\x05\x06", "This is an empty zip archive, not a contact file."),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "This is an old Office document (.xls or .doc). Save it as CSV and upload that.",
    ),
    (b"\x1f\x8b", "This is a compressed (.gz) file. Decompress it and upload what is inside."),
    (b"Rar!", "This is a RAR archive. Extract it and upload the .vcf or .csv file inside."),
    (b"7z\xbc\xaf\x27\x1c", "This is a 7-Zip archive. Extract it and upload the file inside."),
    (b"SQLite format 3\x00", "This is a database file, not a contact export."),
)


@dataclass(frozen=True)
class Sniffed:
    encoding: str  # EIGHT_BIT or a codec name (UTF-16/32) for files that start with a BOM
    bom: bytes  # bytes to skip at the start
    newline: str  # "\n", or "\r" for old Mac files
    text: str  # the decoded sample, BOM removed
    truncated: bool  # the sample is not the whole file


def sniff(path: Path) -> Sniffed:
    """Read the start of the file and decide how to decode it, or reject it whole."""
    with open(path, "rb") as f:
        sample = f.read(SAMPLE_BYTES + 1)
    truncated = len(sample) > SAMPLE_BYTES
    sample = sample[:SAMPLE_BYTES]
    if not sample.strip(b" \t\r\n\x00\x1a"):
        raise NotAContactFile("The file is empty.")
    for magic, reason in _NOT_CONTACTS:
        if sample.startswith(magic):
            raise NotAContactFile(reason)
    if sample[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1") or (
        sample.startswith(b"RIFF") and sample[8:12] == b"WEBP"
    ):
        raise NotAContactFile("This is an image, not a contact file.")

    encoding, bom = EIGHT_BIT, b""
    for mark, name in _BOMS:
        if sample.startswith(mark):
            encoding, bom = name, mark
            break
    if encoding == EIGHT_BIT and b"\x00" in sample:
        encoding = _bomless_utf16(sample)
        if encoding is None:
            raise NotAContactFile("This looks like binary data, not a text file of contacts.")

    if encoding == EIGHT_BIT:
        text = "".join(decode_line(line) for line in sample.splitlines(keepends=True))
    elif encoding == "utf-8":
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        text = decoder.decode(sample[len(bom) :], final=not truncated)
    else:
        decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        text = decoder.decode(sample[len(bom) :], final=not truncated)

    if _looks_binary(text):
        raise NotAContactFile("This looks like binary data, not a text file of contacts.")
    if not text.strip():
        raise NotAContactFile("The file is empty.")
    newline = "\r" if "\r" in text and "\n" not in text else "\n"
    return Sniffed(encoding, bom, newline, text, truncated)


def _bomless_utf16(sample: bytes) -> str | None:
    """UTF-16 without a byte-order mark: every other byte of ASCII text is a NUL."""
    even, odd = sample[0::2], sample[1::2]
    if not even or not odd:
        return None
    even_nuls, odd_nuls = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_nuls > 0.4 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.4 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def _looks_binary(text: str) -> bool:
    if not text:
        return False
    controls = sum(
        1 for ch in text if (ord(ch) < 32 and ch not in "\t\n\r\f\v\x1a") or ch == "\ufffd"
    )
    return controls > max(2, len(text) // 100)


def decode_line(raw: bytes, charset: str = "") -> str:
    """One line or value: its declared charset if that works, else UTF-8, else Windows-1252."""
    if charset:
        try:
            return raw.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if charset.lower().replace("_", "-") in ("utf-8", "utf8"):
        # Declared UTF-8 with a stray byte: keep the good characters.
        return raw.decode("utf-8", errors="replace").replace("\ufffd", "")
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


class LineReader:
    """Iterate over the decoded lines of a file (line endings kept); `bytes_read` for progress."""

    def __init__(self, path: Path, sniffed: Sniffed):
        self.path = path
        self.sniffed = sniffed
        self._file: io.BufferedReader | None = None

    @property
    def bytes_read(self) -> int:
        if self._file is None or self._file.closed:
            return self.path.stat().st_size
        return self._file.tell()

    def __iter__(self) -> Iterator[str]:
        sniffed = self.sniffed
        with open(self.path, "rb") as f:
            self._file = f
            f.seek(len(sniffed.bom))
            if sniffed.encoding != EIGHT_BIT:
                text = io.TextIOWrapper(
                    f, encoding=sniffed.encoding, errors="replace", newline=sniffed.newline
                )
                try:
                    yield from text
                finally:
                    text.detach()
            elif sniffed.newline == "\n":
                for raw in f:
                    yield decode_line(raw)
            else:
                for raw in _split_on(f, b"\r"):
                    yield decode_line(raw)
        self._file = None


def _split_on(f: io.BufferedReader, sep: bytes) -> Iterator[bytes]:
    pending = bytearray()
    while chunk := f.read(SAMPLE_BYTES):
        pending += chunk
        start = 0
        while (end := pending.find(sep, start)) != -1:
            yield bytes(pending[start : end + 1])
            start = end + 1
        del pending[:start]
    if pending:
        yield bytes(pending)
