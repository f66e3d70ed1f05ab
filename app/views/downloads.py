"""Serving a file kept in the database (documents, visit request attachments): streamed a chunk
at a time, always as an attachment under a name the portal generates, never the uploaded one (a
user's `x.html` or `x.hta` would run once downloaded). `app.security.headers` adds `nosniff` and
`Cache-Control: no-store` to every response with a Content-Disposition."""

from flask import Response, stream_with_context

from app.services import documents
from app.services.pdf_uploads import PDF_TYPE


def stored_file(content_id: int, size: int, filename: str, mimetype: str = PDF_TYPE) -> Response:
    return Response(
        stream_with_context(documents.content_chunks(content_id, size)),
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Content-Length": str(size),
        },
    )
