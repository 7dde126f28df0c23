"""The one exception tree of the shell: every error a user may see derives from MojodexError."""

from __future__ import annotations


class MojodexError(Exception):
    """An error the shell reports as one clean line (its message), never as a traceback."""

    exit_code = 1


class UsageError(MojodexError):
    """The command line is wrong: an unknown command, option or argument (exit status 2, as argparse's).

    Not for a well-formed line naming something that does not exist (no such run or workflow): that is a
    ``MojodexError`` (status 1), as the user guide's exit-status table says.
    """

    exit_code = 2


class ConfigError(MojodexError):
    """The config file is malformed or a key or value is not valid."""


class NotInteractiveError(MojodexError):
    """A question would have to be asked, but nobody is at a terminal to answer it."""


class NotLoggedInError(MojodexError):
    """A command needs a login and there is none."""


class NetworkError(MojodexError):
    """The server could not be reached, or the connection broke."""


class ServerError(MojodexError):
    """The server answered with an error status (``status``); ``text`` is its own error text.

    ``route_missing`` is True when the server has no such route at all (an HTML 404, or 405): it speaks
    another Mojodex API than the one the shell used.
    """

    def __init__(self, message: str, status: int = 0, *, text: str = "", route_missing: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.text = text or message
        self.route_missing = route_missing


class AuthError(ServerError):
    """The server refused the token (403): missing, expired or invalid."""


class NotFoundError(ServerError):
    """The server has no such thing for this user: missing, or another user's (which no one else may read).

    Raised for any 404 a route answers in JSON; for a run, workflow or task named by its number, the shell raises
    it whatever status and wording the server used (0.4 backends answer 400 with an exception's text), with
    ``kind`` (``run``, ``workflow`` or ``task``), ``ref`` (its number) and the message ``run 99 not found``.
    ``text`` keeps the server's own words.
    """

    def __init__(self, message: str, status: int = 404, *, text: str = "", route_missing: bool = False,
                 kind: str = "", ref: str = "") -> None:
        super().__init__(message, status, text=text, route_missing=route_missing)
        self.kind = kind
        self.ref = ref


class TermsNotAcceptedError(ServerError):
    """The account never accepted the server's terms and conditions (401): nothing can run until it does."""


class UnsupportedError(MojodexError):
    """The server's dialect of the protocol cannot do this (rejecting with an instruction on a ``spec`` server)."""


class BadResponseError(MojodexError):
    """The server's answer is not what the protocol says (not JSON, truncated, missing fields, too deep)."""


class CommandCancelled(MojodexError):
    """The user cancelled the running command (Ctrl-C). The shell prints the message; an empty one (the command
    already said what Ctrl-C did) prints nothing."""
