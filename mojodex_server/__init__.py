"""A reference Mojodex-compatible server (aiohttp + python-socketio + SQLite) for tests and the demo."""

from .generators import DEMO_PREFIX, offline_generator
from .records import RecordedRequest
from .server import DEMO_EMAIL, DEMO_NAME, DEMO_PASSWORD, ReferenceServer

__all__ = [
    "DEMO_EMAIL",
    "DEMO_NAME",
    "DEMO_PASSWORD",
    "DEMO_PREFIX",
    "RecordedRequest",
    "ReferenceServer",
    "offline_generator",
]
