"""The staff web pages: server-rendered (Jinja2), in Finnish, Swedish and English, on the
staff API's own services. `install(app, context)` adds them to the staff app."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response

from api.context import ApiContext


def install(app: FastAPI, context: ApiContext) -> None:
    from api.pages.coordinator import coordinator_pages
    from api.pages.router import staff_pages
    from api.pages.web import PageError, Pages, SignInNeeded

    pages = Pages(context)

    async def on_refused(request: Request, error: Exception) -> Response:
        assert isinstance(error, PageError)
        return pages.refused(request, error)

    async def on_sign_in(_: Request, error: Exception) -> Response:
        assert isinstance(error, SignInNeeded)
        return pages.redirect("/sign-in?notice=ended" if error.ended else "/sign-in")

    app.add_exception_handler(PageError, on_refused)
    app.add_exception_handler(SignInNeeded, on_sign_in)
    app.include_router(staff_pages(pages))
    app.include_router(coordinator_pages(pages))
