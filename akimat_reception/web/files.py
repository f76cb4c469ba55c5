"""Serving a letter's files: always as a download, never rendered by the browser."""

from flask import abort, send_file

from ..domain.attachments import stored_path
from ..models import Letter


def send_attachment(letter: Letter, attachment_id: int):
    item = next((a for a in letter.attachments if a.id == attachment_id), None)
    if item is None:
        abort(404)
    path = stored_path(item.storage_name)
    if not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype=item.content_type,
        as_attachment=True,
        download_name=item.original_name,
        max_age=0,
        conditional=False,
        etag=False,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
