"""The staff API's readable description (Swagger UI), with its scripts and styles served by
the staff app from the fastapi-offline package installed with Kerro: no CDN, works offline."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(str(files("fastapi_offline") / "static"))


def install(app: FastAPI, *, prefix: str) -> None:
    """`{prefix}/docs`, and its assets under `{prefix}/docs/assets/`."""
    assets = f"{prefix}/docs/assets"
    app.mount(assets, StaticFiles(directory=ASSETS), name="docs-assets")

    @app.get(f"{prefix}/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=f"{prefix}/openapi.json",
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{assets}/swagger-ui.css",
            swagger_favicon_url=f"{assets}/favicon.png",
            oauth2_redirect_url=None,
        )
