"""How a view module declares its pages: the route, the least role that may open it, and an
optional entry in the navigation bar. `console.app` collects every module's `pages`.

    pages = ConsolePages()

    @pages.get("/decisions", nav="分类记录", order=10)          # viewers and up
    async def decisions(request: web.Request) -> web.Response: ...

    @pages.post("/decisions/{id:\\d{1,18}}/confirm", role=Role.OPERATOR)
    async def confirm(request: web.Request) -> web.StreamResponse: ...

Ids in paths are `\\d{1,18}`: a longer number is no such page (404), not a database overflow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from bot.services.console.auth import Role
from console.context import PREFIX, Handler


@dataclass(frozen=True)
class Access:
    role: Role
    public: bool = False  # reachable without signing in (the login page only)


@dataclass(frozen=True)
class NavItem:
    title: str
    path: str  # absolute, e.g. /admin/decisions
    role: Role
    order: int


class ConsolePages:
    def __init__(self) -> None:
        self.routes = web.RouteTableDef()
        self.access: dict[Handler, Access] = {}
        self.nav: list[NavItem] = []

    def get(
        self,
        path: str,
        *,
        role: Role = Role.VIEWER,
        nav: str | None = None,
        order: int = 100,
        public: bool = False,
    ) -> Callable[[Handler], Handler]:
        if nav is not None:
            self.nav.append(NavItem(nav, PREFIX + path, role, order))
        return self._register("GET", path, Access(role, public))

    def post(
        self, path: str, *, role: Role = Role.OPERATOR, public: bool = False
    ) -> Callable[[Handler], Handler]:
        """Every POST is CSRF-checked; the default role is the least that may change things."""
        return self._register("POST", path, Access(role, public))

    def _register(self, method: str, path: str, access: Access) -> Callable[[Handler], Handler]:
        def decorate(handler: Handler) -> Handler:
            self.routes.route(method, path)(handler)
            self.access[handler] = access
            return handler

        return decorate
