"""The one exception route handlers raise to answer ``{"error": ...}`` with a 4xx status."""

from __future__ import annotations


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def missing(name: str) -> ApiError:
    return ApiError(400, f"Missing parameter : '{name}'")
