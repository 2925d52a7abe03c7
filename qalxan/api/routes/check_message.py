"""Routes of the message area.

- ``POST /v1/check/message``: public and rate-limited; one message, one verdict.
- ``POST /v1/messages/score``: for mobile operators (scope ``operator``); up to
  ``message_batch_max`` messages, answered in the same order. An item that is not a valid
  message is reported in its place and the others are scored.
"""

from __future__ import annotations

from typing import Any, Literal, cast, get_args

import orjson
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from qalxan.api.auth import PUBLIC, Principal, require_scope
from qalxan.api.deps import get_engine, get_settings
from qalxan.api.ratelimit import rate_limited
from qalxan.detect.message import MessageDetector, MessageInput
from qalxan.domain.errors import ParseError, QalxanError
from qalxan.service import Engine
from qalxan.settings import Settings

__all__ = ["MessageBody", "ScoreBody", "ScoreFastLane", "router", "setup"]

router = APIRouter(tags=["message"])
Channel = Literal["sms", "messenger", "social", "call_transcript"]
Lang = Literal["az", "ru", "en"]
# Batches larger than this are scored off the event loop.
_INLINE_BATCH = 32


class MessageBody(BaseModel):
    """One message to check."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(..., description="The message text (SMS, post or call transcript).")
    sender: str | None = Field(None, max_length=128, description="SMS sender ID or number.")
    channel: Channel = Field("sms", description="Where the message came from.")
    lang: Lang | None = Field(None, description="Language of the explanations (az, ru, en).")


class ScoreItem(BaseModel):
    """One message of an operator batch; ``id`` is echoed back."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(None, max_length=128, description="Caller's id, echoed back.")
    text: str
    sender: str | None = Field(None, max_length=128)
    channel: Channel = "sms"


class ScoreBody(BaseModel):
    """A batch of messages; items are validated one by one so a bad one fails alone."""

    model_config = ConfigDict(extra="forbid")

    messages: list[Any] = Field(..., description="Up to `message_batch_max` message objects.")
    lang: Lang = Field("en", description="Language of the explanations.")


def _detector(engine: Engine) -> MessageDetector:
    det: MessageDetector = engine.detector("message")
    return det


def _check_text(text: str, settings: Settings, field: str) -> None:
    if not text.strip():
        raise ParseError("empty message", field=field)
    if len(text) > settings.message_max_chars:
        raise ParseError(
            f"longer than {settings.message_max_chars} characters", field=field, value=text[:40]
        )


@router.post(
    "/v1/check/message",
    openapi_extra=PUBLIC,
    dependencies=[Depends(rate_limited)],
    response_class=JSONResponse,
)
def check_message(
    body: MessageBody,
    engine: Engine = Depends(get_engine),
    settings: Settings = Depends(get_settings),
) -> JSONResponse:
    """Check one message for scams: verdict, score, scheme, reasons and indicators."""
    _check_text(body.text, settings, "text")
    msg = MessageInput(body.text, sender=body.sender, channel=body.channel, lang=None)
    # The verdict dict is plain JSON already: skip FastAPI's (slow) jsonable_encoder.
    return JSONResponse(_detector(engine).analyze(msg).to_dict(body.lang or "en"))


_ITEM_KEYS = frozenset({"id", "text", "sender", "channel"})
_BODY_KEYS = frozenset({"messages", "lang"})
_CHANNELS = frozenset(get_args(Channel))
_LANGS = frozenset(get_args(Lang))
_operator_scope = require_scope("operator")


async def _operator(request: Request) -> Principal:
    """``require_scope("operator")`` on the event loop: no thread hop per request. The key
    resolver answers from its in-process cache; only a cache miss (once per key per
    ``api_key_cache_seconds``) reads the store."""
    return _operator_scope(request)


_operator.__qalxan_scopes__ = _operator_scope.__qalxan_scopes__  # type: ignore[attr-defined]


def _plain_item(obj: Any) -> ScoreItem | None:
    """A ScoreItem built without pydantic when ``obj`` is plainly valid (the common case);
    None sends it through ``ScoreItem.model_validate``, which accepts or rejects it with the
    usual message. Only inputs pydantic accepts unchanged take this path."""
    if type(obj) is not dict or not obj.keys() <= _ITEM_KEYS:
        return None
    text, sender, ident = obj.get("text"), obj.get("sender"), obj.get("id")
    channel = obj.get("channel", "sms")
    if type(text) is not str or type(channel) is not str or channel not in _CHANNELS:
        return None
    for value in (sender, ident):
        if value is not None and (type(value) is not str or len(value) > 128):
            return None
    return ScoreItem.model_construct(
        id=ident, text=text, sender=sender, channel=cast(Channel, channel)
    )


def _parse_items(
    raw: list[Any], settings: Settings
) -> tuple[list[tuple[int, ScoreItem]], dict[int, dict[str, Any]]]:
    good: list[tuple[int, ScoreItem]] = []
    bad: dict[int, dict[str, Any]] = {}
    for i, obj in enumerate(raw):
        try:
            item = _plain_item(obj) or ScoreItem.model_validate(obj)
            _check_text(item.text, settings, f"messages.{i}.text")
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first.get("loc", ()))
            bad[i] = {"field": f"messages.{i}.{loc}".rstrip("."), "reason": first.get("msg", "")}
            continue
        except ParseError as exc:
            bad[i] = {"field": exc.field, "reason": exc.reason}
            continue
        good.append((i, item))
    return good, bad


def _parse_body(raw: bytes) -> tuple[list[Any], str]:
    """The batch and the explanation language, with FastAPI's 422 for a bad body."""
    if not raw:
        raise RequestValidationError(
            [{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}]
        )
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise RequestValidationError(
            [
                {
                    "type": "json_invalid",
                    "loc": ("body", exc.pos),
                    "msg": "JSON decode error",
                    "input": {},
                    "ctx": {"error": exc.msg},
                }
            ]
        ) from None
    if (
        type(obj) is dict
        and obj.keys() <= _BODY_KEYS
        and type(obj.get("messages")) is list
        and obj.get("lang", "en") in _LANGS
    ):
        return obj["messages"], obj.get("lang", "en")
    try:
        body = ScoreBody.model_validate(obj)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
        raise RequestValidationError(errors) from None
    return body.messages, body.lang


@router.post(
    "/v1/messages/score",
    response_class=JSONResponse,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ScoreBody.model_json_schema()}},
        }
    },
)
async def score_messages(request: Request, principal: Principal = Depends(_operator)) -> Response:
    """Score a batch of messages (SMS firewall); results come back in the same order.

    The body is ``ScoreBody`` (read with orjson; plainly valid items skip pydantic) and the
    answer is serialised with orjson: per-request overhead matters at operator rates. In a
    running app :class:`ScoreFastLane` answers this path before FastAPI's routing.
    """
    return await _score(request)


async def _score(request: Request) -> Response:
    state = request.app.state
    settings: Settings = state.settings
    messages, lang = _parse_body(await request.body())
    if len(messages) > settings.message_batch_max:
        raise ParseError(
            f"at most {settings.message_batch_max} messages per batch", field="messages"
        )
    good, bad = _parse_items(messages, settings)
    detector = _detector(state.engine)
    msgs = [MessageInput(it.text, sender=it.sender, channel=it.channel) for _, it in good]
    if len(msgs) > _INLINE_BATCH:
        verdicts = await run_in_threadpool(detector.analyze_batch, msgs)
    else:
        verdicts = detector.analyze_batch(msgs)
    results: list[dict[str, Any]] = [{} for _ in messages]
    for (i, item), verdict in zip(good, verdicts, strict=True):
        results[i] = {"index": i, "id": item.id, **verdict.to_dict(lang)}
    for i, err in bad.items():
        results[i] = {"index": i, "error": {"type": "invalid_input", **err}}
    payload = {"count": len(results), "errors": len(bad), "results": results}
    return Response(orjson.dumps(payload), media_type="application/json")


_SCORE_PATH = "/v1/messages/score"


class ScoreFastLane:
    """ASGI middleware: ``POST /v1/messages/score`` straight to its handler.

    FastAPI's routing and dependency solving cost more per request than scoring one message
    (several hundred microseconds with all of Qalxan's routes). This lane does what the
    route does (the same operator-scope check, the same handler) and turns errors into
    responses with the app's own exception handlers, so answers are the same. Every other
    request, and other methods on this path, go to the app unchanged; the FastAPI route stays
    for the OpenAPI schema and the route checks.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != _SCORE_PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            _operator_scope(request)
            response = await _score(request)
        except (QalxanError, RequestValidationError) as exc:
            response = await _handled(request, exc)
        await response(scope, receive, send)


async def _handled(request: Request, exc: Exception) -> Response:
    """The response the app's exception handler for ``exc`` gives."""
    handlers = request.app.exception_handlers
    for cls in type(exc).__mro__:
        handler = handlers.get(cls)
        if handler is not None:
            response: Response = await handler(request, exc)
            return response
    raise exc


def setup(app: FastAPI) -> None:
    """Install the fast lane of the operator route."""
    app.add_middleware(ScoreFastLane)
