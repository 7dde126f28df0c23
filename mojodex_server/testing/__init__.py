"""What a test uses to make the reference server misbehave (``server.faults``) and to see what it did
(``server.recorder``, ``server.requests``...). The server only consults them."""

from .faults import BINARY_ATTACHMENT, Faults
from .recorder import RECORD_KEY, GeneratorCall, Headers, RecordedRequest, Recorder

__all__ = ["BINARY_ATTACHMENT", "RECORD_KEY", "Faults", "GeneratorCall", "Headers", "RecordedRequest", "Recorder"]
