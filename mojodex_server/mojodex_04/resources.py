"""0.4's resources (protocol-0.4-more.md, section 9): the documents the assistant knows (websites the user added),
and the user's own description, by ``/resource``. Errors are worded as the backend words them.

The backend fetches a website itself, without a timeout (surprise 18). This server never touches the network: a
URL whose host ends in ``.invalid`` (or is not an http(s) URL) is one it cannot resolve, any other is "fetched" at
once, or after ``Faults.fetch_delay`` seconds, and becomes a webpage document with canned text.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aiohttp import web

from ..errors import ApiError
from ..params import authorized, json_body, json_response, page
from ..routes import Handler, Routes
from .todo_routes import MISSING, pk_of

if TYPE_CHECKING:
    from . import Mojodex04

NOT_FOUND = "Document not found for this user"
CANNED_TEXT = "[canned fetch] This server does not read the web: the page's text would be here."


def naive_now() -> str:
    """The backend's document dates: naive ISO, UTC, with microseconds."""
    return datetime.now(UTC).replace(tzinfo=None).isoformat()


@dataclass
class Document:
    pk: int
    user_pk: int
    name: str
    author: str
    creation_date: str
    last_update_date: str
    document_type: str = "webpage"
    deleted: bool = False

    def json(self) -> dict[str, Any]:
        return {"document_pk": self.pk, "document_type": self.document_type, "name": self.name,
                "author": self.author, "creation_date": self.creation_date,
                "last_update_date": self.last_update_date, "text": CANNED_TEXT}


class Resources:
    """Every user's documents and descriptions (the ``user_description`` and ``company_description`` editions)."""

    def __init__(self, first_pk: int = 1) -> None:
        self.documents: dict[int, Document] = {}
        self.descriptions: dict[tuple[int, str], str] = {}  # (user pk, "user_description") -> the edition
        self._next = first_pk

    def of_user(self, user_pk: int) -> list[Document]:
        """The user's documents, newest first (deleted ones left out)."""
        return sorted((d for d in self.documents.values() if d.user_pk == user_pk and not d.deleted),
                      key=lambda d: d.pk, reverse=True)

    def add(self, user_pk: int, url: str, author: str) -> Document:
        now = naive_now()
        document = Document(self._next, user_pk, url, author, now, now)
        self.documents[document.pk] = document
        self._next += 1
        return document


def resolvable(url: str) -> bool:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    return parts.scheme in ("http", "https") and bool(host) and not host.endswith(".invalid")


class ResourceRoutes(Routes):
    def __init__(self, dialect: Mojodex04) -> None:
        super().__init__(dialect.server)
        self.resources = dialect.resources

    def table(self) -> list[tuple[str, str, Handler]]:
        return [
            ("GET", "/resource", self.list_documents),
            ("PUT", "/resource", self.add_website),
            ("POST", "/resource", self.edit),
            ("DELETE", "/resource", self.delete),
        ]

    def _own(self, user_pk: int, value: Any) -> Document:
        document = self.resources.documents.get(pk_of(value) or 0)
        if document is None or document.user_pk != user_pk or document.deleted:
            raise ApiError(404, NOT_FOUND)
        return document

    async def list_documents(self, request: web.Request) -> web.Response:
        user_pk = authorized(request, self.store)
        query = request.query
        if "datetime" not in query or "learned_by_mojo" not in query:
            raise ApiError(400, MISSING)
        if query["learned_by_mojo"] == "true":  # what the assistant learnt needs a company, which nobody has here
            raise ApiError(500, "Error getting documents : 'NoneType' object is not subscriptable")
        limit, offset = page(query, "n_resources")
        documents = self.resources.of_user(user_pk)[offset:offset + limit]
        return json_response({"documents": [d.json() for d in documents]})

    async def add_website(self, request: web.Request) -> web.Response:
        user_pk = authorized(request, self.store)
        body = json_body(request)
        if "website_url" not in body:
            raise ApiError(400, "Missing field 'website_url'")
        url = body["website_url"]
        if not isinstance(url, str) or not resolvable(url):
            raise ApiError(400, "invalid_url")
        mine = [d for d in self.resources.documents.values() if d.user_pk == user_pk and d.name == url]
        if any(not d.deleted for d in mine):
            raise ApiError(400, "Website already exist in user's documents")
        if self.server.faults.fetch_delay:
            await asyncio.sleep(self.server.faults.fetch_delay)  # a slow site: the backend has no timeout
        if mine:  # a deleted document's URL: it comes back
            document = mine[0]
            document.deleted = False
            document.last_update_date = naive_now()
        else:
            user = self.store.user_by_pk(user_pk)
            document = self.resources.add(user_pk, url, user.name if user else "")
        return json_response(document.json())

    async def edit(self, request: web.Request) -> web.Response:
        user_pk = authorized(request, self.store)
        body = json_body(request)
        if "document_pk" not in body or "datetime" not in body:
            raise ApiError(400, "Missing field 'document_pk'")
        key = body["document_pk"]
        if key in ("user_description", "company_description"):
            edition = body.get("edition")
            if not isinstance(edition, str):
                raise ApiError(400, "Missing field 'edition'")
            self.resources.descriptions[(user_pk, key)] = edition.strip()
            return json_response({"document_pk": key})
        document = self._own(user_pk, key)
        document.last_update_date = naive_now()  # refetched (canned)
        return json_response({"document_pk": document.pk})

    async def delete(self, request: web.Request) -> web.Response:
        user_pk = authorized(request, self.store)
        query = request.query
        if "datetime" not in query or "document_pk" not in query:
            raise ApiError(400, MISSING)
        document = self._own(user_pk, query["document_pk"])
        document.deleted = True
        return json_response({"document_pk": str(document.pk)})  # a string, as the backend echoes it
