"""``PUT /user_message`` (the dialects that chat: ``mojodex-2024``, ``mojodex-0.4``): a chat message, as a form."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from .errors import ApiError
from .params import authorized, files, form, json_response, require_field
from .routes import Handler, Routes

if TYPE_CHECKING:
    pass


class ChatRoutes(Routes):
    def table(self) -> list[tuple[str, str, Handler]]:
        return [
            ("PUT", "/user_message", self.user_message),
        ]

    async def user_message(self, request: web.Request) -> web.Response:
        user_pk = authorized(request, self.store)
        fields = form(request, "This route takes a form, not JSON")
        dialect = self.server.dialect
        voice = dialect.takes_voice and "text" not in fields  # a voice message (0.4: protocol-0.4-more.md, 8)
        require_field(fields, "datetime", "session_id", "message_id", *(() if voice else ("text",)))
        session_id = fields["session_id"]
        if self.store.session_owner(session_id) != user_pk:
            raise ApiError(404, "Session not found")
        run_key, run_pk = dialect.message_run(session_id, fields)
        chat = self.server.chat
        known = self.store.tasks.message_by_id(session_id, fields["message_id"])
        if known is not None:  # the same message again: not processed twice
            if known.pk in chat.processing:
                return json_response({"status": "processing"})
            return json_response(chat.answer_json(known, run_key, run_pk))
        if voice:
            text, duration = await dialect.transcribe(session_id, fields["message_id"], files(request))
            message = chat.receive(session_id, fields["message_id"], text, fields.get("message_date"))
            return json_response({**chat.answer_json(message, run_key, run_pk), "audio_duration": duration})
        message = chat.receive(session_id, fields["message_id"], fields["text"], fields.get("message_date"))
        return json_response(chat.answer_json(message, run_key, run_pk))
