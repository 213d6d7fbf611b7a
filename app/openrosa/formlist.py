"""The OpenRosa documents: the ``xforms`` list (formList) and the ``OpenRosaResponse``."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

XFORMS_LIST_NS = "http://openrosa.org/xforms/xformsList"
RESPONSE_NS = "http://openrosa.org/http/response"


@dataclass(frozen=True)
class ListedForm:
    form_id: str
    version: str
    name: str
    md5: str
    download_url: str


def xforms_list(forms: list[ListedForm]) -> bytes:
    """The formList body (OpenRosa Form List API)."""
    items = "".join(
        "<xform>"
        f"<formID>{escape(f.form_id)}</formID>"
        f"<name>{escape(f.name)}</name>"
        f"<version>{escape(f.version)}</version>"
        f"<hash>md5:{f.md5}</hash>"
        f"<downloadUrl>{escape(f.download_url)}</downloadUrl>"
        "</xform>"
        for f in forms
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><xforms xmlns="{XFORMS_LIST_NS}">{items}</xforms>'
    ).encode()


def openrosa_response(message: str) -> bytes:
    """An ``OpenRosaResponse`` whose message Collect shows to the user."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><OpenRosaResponse xmlns="{RESPONSE_NS}">'
        f'<message nature="">{escape(message)}</message></OpenRosaResponse>'
    ).encode()
