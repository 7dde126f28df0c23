"""A reference Mojodex-compatible server (aiohttp + python-socketio, storage in memory) for tests and the demo."""

import logging

from .generators import DEMO_PREFIX, offline_generator
from .server import DEMO_EMAIL, DEMO_NAME, DEMO_PASSWORD, ReferenceServer
from .testing import RecordedRequest

# A library logs; the program that runs it decides where that goes (the shell's demo: nowhere on screen).
logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "DEMO_EMAIL",
    "DEMO_NAME",
    "DEMO_PASSWORD",
    "DEMO_PREFIX",
    "RecordedRequest",
    "ReferenceServer",
    "offline_generator",
]
