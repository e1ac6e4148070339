"""The staff web app (科协匹配 工作台): static pages and vanilla JavaScript over the /v1 API.

``mount_web(app)`` serves the single page under ``/ui/…`` (every ``/ui`` path returns the same
shell; ``app.js`` routes on the path), its assets under ``/ui/static/``, redirects ``/`` to
``/ui/``, and adds ``GET /ui/session``: the name and scopes of the presented API key, so the
login screen can check a key and show what it may do. Nothing is fetched from outside the
app at run time (a Content-Security-Policy of ``'self'`` enforces it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from api.deps import current_key
from graph_schema.apikeys import ApiKey

__all__ = ["mount_web", "STATIC"]

STATIC = Path(__file__).parent / "static"

#: Pages load only the app's own scripts, styles and API; inline styles are allowed for SVG.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)


class SessionPublic(BaseModel):
    """Who the presented key is."""

    name: str = Field(description="Name of the API key.")
    scopes: list[str] = Field(description="Its scopes: read, write, contact, admin.")


def mount_web(app: FastAPI) -> None:
    """Serve the staff web app from ``app`` (call after the API routers are included)."""
    app.mount("/ui/static", StaticFiles(directory=STATIC), name="ui-static")

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/ui/", status_code=307)

    @app.get("/ui", include_in_schema=False)
    def ui_bare() -> RedirectResponse:
        return RedirectResponse("/ui/", status_code=307)

    @app.get("/ui/session", response_model=SessionPublic, include_in_schema=False)
    def session(key: Annotated[ApiKey, Depends(current_key)]) -> SessionPublic:
        return SessionPublic(name=key.name, scopes=list(key.scopes))

    @app.get("/ui/{page:path}", include_in_schema=False)
    def shell(page: str) -> FileResponse:
        return FileResponse(
            STATIC / "index.html",
            media_type="text/html; charset=utf-8",
            headers={
                "Content-Security-Policy": CSP,
                "Cache-Control": "no-cache",
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer",
            },
        )
