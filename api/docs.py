"""The API's own documentation at ``/docs``, served entirely from this machine.

FastAPI's default page loads Swagger UI from a CDN, so it is blank on a broadcast-room PC that is
offline. The page here takes Swagger UI's script and style from the ``fastapi-offline`` package
(installed with the daemon) and the OpenAPI schema names how callers authenticate, so the page's
"Authorize" button takes an API key (``bk_…``) and "Try it out" can call protected routes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from api.actor import PUBLIC, SESSION_COOKIE

ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSETS_URL = "/static/docs"
SECURITY_SCHEMES = {
    "apiKey": {
        "type": "http", "scheme": "bearer", "bearerFormat": "bk_…",
        "description": "An API key from `broadcaster user key NAME --label WHAT` or the admin "
                       "page. 接口密钥：用命令或管理员页面创建。",
    },
    "session": {
        "type": "apiKey", "in": "cookie", "name": SESSION_COOKIE,
        "description": "The console's log-in (POST /api/v1/login); changes also need the "
                       "X-CSRF-Token header. 控制台登录会话。",
    },
}  # fmt: skip


def mount_docs(app: FastAPI) -> None:
    """Serve ``/docs`` with local assets and give the schema its security schemes (create the
    app with ``docs_url=None``)."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} API",
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
            swagger_ui_parameters={"persistAuthorization": True},
        )

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version,
                                 description=app.description, routes=app.routes)  # fmt: skip
            schema.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
            for path, operations in schema.get("paths", {}).items():
                if path in PUBLIC:
                    continue
                for operation in operations.values():
                    operation["security"] = [{"apiKey": []}, {"session": []}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
