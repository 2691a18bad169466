"""What every PDF the portal writes with fpdf2 shares."""


def latin1(text: str) -> str:
    """The PDF core fonts cover Latin-1 (all Spanish letters); dashes and the typographic
    apostrophe become their ASCII forms, anything else becomes '?'."""
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\u2019", "'")
    return text.encode("latin-1", "replace").decode("latin-1")
