"""QR codes for the screens and letters that carry a link or a key (TOTP enrolment, the
activation and reset letters). segno loads on the first code drawn: most requests a server
answers never draw one, and a module imported at start-up stays in every process's memory."""

from __future__ import annotations

import io


def svg_document(text: str, *, scale: int) -> str:
    """A standalone SVG document (with its namespace): a browser draws nothing for an SVG
    image without `xmlns` shown as an `<img>` from a `data:` URI."""
    import segno

    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="svg", xmldecl=False, nl=False, scale=scale,
                                     border=2)
    return out.getvalue().decode()


def svg_data_uri(text: str, *, scale: int) -> str:
    """The code as a `data:` URI, for an `<img>` on a printed letter."""
    import segno

    uri: str = segno.make(text, error="m").svg_data_uri(scale=scale, border=2)
    return uri
