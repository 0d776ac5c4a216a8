"""Your documents: .md, .rst, .txt, .html and .pdf files read, cut into
overlapping chunks.

Text files are read as UTF-8 (or UTF-16 with a byte-order mark), else as
Windows-1252, the superset of Latin-1 that older documents are mostly in.
HTML pages give their visible text (no tags, scripts or styles).

A chunk is a window of ``chunk_words`` words; each one starts ``chunk_words -
chunk_overlap`` words after the one before, so a sentence that falls on a
boundary still appears whole in one of them. A window that is longer than the
encoder reads, in the encoder's own tokens (a table, a log, code: few spaces,
many tokens), is cut into pieces that fit, so no text goes unread. Every chunk
remembers its source file and its place in it, which is what search results
cite.
"""

from __future__ import annotations

import json
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from rich.progress import track

SUFFIXES = {".md", ".rst", ".txt", ".html", ".htm", ".pdf"}
# A larger file is skipped (and named): 20 MB of text is thousands of chunks.
MAX_DOCUMENT_BYTES = 20_000_000
SAMPLE_CORPUS = Path(__file__).parent / "sample_corpus"
SAMPLE_QUERIES = "queries.jsonl"


@dataclass(frozen=True)
class Document:
    source: str  # the path below the documents folder, with forward slashes
    text: str


@dataclass(frozen=True)
class Chunk:
    source: str
    position: int  # 0 for a document's first chunk, 1 for the next, ...
    text: str


@dataclass(frozen=True)
class LabelledQuery:
    query: str
    # The source file that answers it; None: the collection does not answer it
    # (what `evaluate-answers` checks the assistant declines).
    relevant: str | None

    @property
    def answerable(self) -> bool:
        return self.relevant is not None


class VisibleText(HTMLParser):
    """The text a browser would show: tags, scripts and styles left out."""

    HIDDEN = frozenset({"script", "style", "template", "noscript", "head"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden and data.strip():
            self.parts.append(data.strip())


def read_pdf(path: Path) -> str:
    from pypdf import PdfReader  # only when there are PDFs
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValueError("an encrypted PDF: save it without its password to index it")
        return "\n\n".join(page.extract_text() or "" for page in reader.pages)
    except PyPdfError as error:
        raise ValueError(f"not a readable PDF ({error})") from error


def read_text(path: Path) -> str:
    if path.suffix.lower() == ".pdf":
        return read_pdf(path)
    text = decode(path.read_bytes())
    if path.suffix.lower() in {".html", ".htm"}:
        page = VisibleText()
        page.feed(text)
        return "\n".join(page.parts)
    return text


def decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16's byte-order marks
        return data.decode("utf-16")  # a UnicodeDecodeError is a ValueError: skipped
    if b"\x00" in data:
        raise ValueError("binary data, not text")
    try:
        return data.decode("utf-8-sig")  # UTF-8, with or without a byte-order mark
    except UnicodeDecodeError:
        pass
    # Not UTF-8: most such documents are Latin-1 or its Windows superset
    # (changelogs, exports). Guessing among code pages from a few accents is
    # unreliable (charset-normalizer read French Latin-1 as Baltic cp1257), so
    # this reads Windows-1252, and skips bytes it does not define.
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise ValueError("neither UTF-8 nor Windows-1252 text") from error


def why_not_read(path: Path, root: Path) -> str | None:
    """Why a file below the documents folder is not read; None when it is.

    Only regular files inside the folder are read. A link may point anywhere
    (`/proc/self/environ` holds the indexing process's secrets), and what is
    read is chunked, served by /search and shipped in the image.
    """
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        return "a link to nothing"
    except (OSError, RuntimeError):  # a link loop (RuntimeError before Python 3.13)
        return "a link that leads back to itself"
    if not target.is_relative_to(root.resolve()):
        return "a link to a file outside the documents folder (not read)"
    info = target.stat()
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file"
    if path.suffix.lower() not in SUFFIXES:
        return f"not a {', '.join(sorted(SUFFIXES))} file"
    if info.st_size > MAX_DOCUMENT_BYTES:
        return f"larger than {MAX_DOCUMENT_BYTES // 1_000_000} MB ({info.st_size:,} bytes)"
    return None


def read_documents(folder: Path) -> tuple[list[Document], list[str]]:
    """Every readable document below `folder`, and a note for each one skipped."""
    if not folder.is_dir():
        raise ValueError(
            f"{folder} is not a folder of documents (`sample-docs` writes the sample there)"
        )
    files, skipped = [], []
    for path in sorted(p for p in folder.rglob("*") if not p.is_dir()):
        reason = why_not_read(path, folder)
        if reason is None:
            files.append(path)
        else:
            skipped.append(f"{path.relative_to(folder).as_posix()}: {reason}")
    if not files:
        raise ValueError(f"no {', '.join(sorted(SUFFIXES))} files in {folder}: {skipped}")
    documents = []
    for path in track(files, description="reading documents"):
        source = path.relative_to(folder).as_posix()
        try:
            text = read_text(path)
        except (OSError, ValueError) as error:  # UnicodeDecodeError is a ValueError
            skipped.append(f"{source}: {error}")
            continue
        if not text.strip():
            skipped.append(f"{source}: no text")
            continue
        documents.append(Document(source, text))
    if not documents:
        raise ValueError(f"none of the files in {folder} could be read: {skipped}")
    return documents, skipped


def chunk_text(text: str, words: int, overlap: int) -> list[str]:
    """Windows of `words` words, each sharing `overlap` words with the one before."""
    tokens = text.split()
    step = words - overlap
    chunks = []
    for start in range(0, max(1, len(tokens)), step):
        chunks.append(" ".join(tokens[start : start + words]))
        if start + words >= len(tokens):
            break
    return chunks


# (start, end) character offsets of each token of a text, in the encoder's tokenizer.
TokenOffsets = Callable[[str], list[tuple[int, int]]]


def fit_to_tokens(text: str, offsets: TokenOffsets, max_tokens: int) -> list[str]:
    """`text` as it is when it fits in `max_tokens`, else cut between tokens into pieces that do."""
    spans = offsets(text)
    if len(spans) <= max_tokens:
        return [text]
    return [
        text[spans[start][0] : spans[min(start + max_tokens, len(spans)) - 1][1]]
        for start in range(0, len(spans), max_tokens)
    ]


def chunk_documents(
    documents: list[Document],
    words: int,
    overlap: int,
    offsets: TokenOffsets | None = None,
    max_tokens: int = 0,
) -> list[Chunk]:
    """Every document's chunks; with `offsets`, none longer than `max_tokens` tokens."""
    chunks = []
    for document in documents:
        pieces = [
            piece
            for window in chunk_text(document.text, words, overlap)
            for piece in (fit_to_tokens(window, offsets, max_tokens) if offsets else [window])
        ]
        chunks += [Chunk(document.source, position, text) for position, text in enumerate(pieces)]
    return chunks


def read_queries(path: Path) -> list[LabelledQuery]:
    """The labelled queries, one JSON object per line; a bad line is an error naming it.

    ``{"query": "...", "relevant": "file.md"}`` names the file that answers the
    query; ``"relevant": null`` says no file does.
    """
    if not path.is_file():
        raise ValueError(f"no labelled queries at {path} (`sample-docs` writes the sample ones)")
    queries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            relevant = None if row["relevant"] is None else str(row["relevant"])
            queries.append(LabelledQuery(str(row["query"]), relevant))
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            expected = '{"query": ..., "relevant": "<file>" or null}'
            raise ValueError(f"{path}:{number}: expected {expected} ({error})") from error
    if not queries:
        raise ValueError(f"{path} has no queries")
    return queries


def write_sample(docs_dir: Path, queries_file: Path) -> int:
    """Copy the sample collection and its labelled queries; return how many documents."""
    docs_dir.mkdir(parents=True, exist_ok=True)
    documents = sorted(SAMPLE_CORPUS.glob("*.md"))
    for path in documents:
        shutil.copyfile(path, docs_dir / path.name)
    queries_file.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SAMPLE_CORPUS / SAMPLE_QUERIES, queries_file)
    return len(documents)
