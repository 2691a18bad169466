"""docs/benchmarks.md: each benchmark writes its own section between two markers."""

from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def write_section(section: str, start: str, end: str, *, after: str = "") -> None:
    """Replaces the text between ``start`` and ``end`` with ``section``; a new section goes
    right after the ``after`` marker if there is one, else at the end of the page."""
    text = DOCS.read_text()
    block = f"{start}\n{section}\n{end}"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        _, rest = rest.split(end, 1)
        text = before + block + rest
    elif after and after in text:
        before, rest = text.split(after, 1)
        text = before + after + "\n\n" + block + rest
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    DOCS.write_text(text)
