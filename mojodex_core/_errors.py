"""The one exception tree of the shell: every error a user may see derives from MojodexError."""

from __future__ import annotations


class MojodexError(Exception):
    """An error the shell reports as one clean line (its message), never as a traceback."""

    exit_code = 1


class UsageError(MojodexError):
    """A command was called with bad arguments."""


class ConfigError(MojodexError):
    """The config file is malformed or a key or value is not valid."""


class NotInteractiveError(MojodexError):
    """A question would have to be asked, but nobody is at a terminal to answer it."""


class NotLoggedInError(MojodexError):
    """A command needs a login and there is none."""


class NetworkError(MojodexError):
    """The server could not be reached, or the connection broke."""


class ServerError(MojodexError):
    """The server answered with an error status."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class AuthError(ServerError):
    """The server refused the token (403): missing, expired or invalid."""


class NotFoundError(ServerError):
    """The server has no such thing for this user (404)."""


class BadResponseError(MojodexError):
    """The server's answer is not what the protocol says (not JSON, truncated, missing fields)."""


class CommandCancelled(MojodexError):
    """The user cancelled the running command (Ctrl-C)."""
