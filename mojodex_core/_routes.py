"""The route tables of the Mojodex server: which method and path each call uses, per server generation.

``[server] api`` picks the table. ``"spec"`` is the specification's (POST creates an execution, PUT submits
its inputs); ``"mojodex-2024"`` is the backend of that time, which swaps the two methods.
"""

from __future__ import annotations

from typing import Any

from mojodex_core._errors import ConfigError

ROUTES: dict[str, dict[str, tuple[str, str]]] = {
    "spec": {
        "login": ("POST", "/user"),
        "list_workflows": ("GET", "/user_workflow"),
        "create_execution": ("POST", "/user_workflow_execution"),
        "submit_inputs": ("PUT", "/user_workflow_execution"),
        "get_execution": ("GET", "/user_workflow_execution"),
        "validate_step": ("POST", "/user_workflow_step_execution"),
    },
}
ROUTES["mojodex-2024"] = {
    **ROUTES["spec"],
    "create_execution": ("PUT", "/user_workflow_execution"),
    "submit_inputs": ("POST", "/user_workflow_execution"),
}


def route(ctx: Any, name: str) -> tuple[str, str]:
    """The (method, path) of call ``name`` for the configured ``server.api``."""
    api = str(ctx.config.get("server.api", "spec"))
    table = ROUTES.get(api)
    if table is None:
        raise ConfigError(f"server.api must be one of {', '.join(sorted(ROUTES))}, not {api!r}")
    return table[name]


async def call(ctx: Any, name: str, *, params: dict[str, Any] | None = None,
               json: dict[str, Any] | None = None, what: str = "a response") -> Any:
    """Send call ``name`` to the server (authenticated) and return its decoded JSON."""
    method, path = route(ctx, name)
    return await ctx.api.request(method, path, params=params, json=json, what=what)
