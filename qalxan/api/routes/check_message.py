"""Routes of the message area.

- ``POST /v1/check/message``: public and rate-limited; one message, one verdict.
- ``POST /v1/messages/score``: for mobile operators (scope ``operator``); up to
  ``message_batch_max`` messages, answered in the same order. An item that is not a valid
  message is reported in its place and the others are scored.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from qalxan.api.auth import PUBLIC, Principal, require_scope
from qalxan.api.deps import get_engine, get_settings
from qalxan.api.ratelimit import rate_limited
from qalxan.detect.message import MessageDetector, MessageInput
from qalxan.domain.errors import ParseError
from qalxan.service import Engine
from qalxan.settings import Settings

__all__ = ["MessageBody", "ScoreBody", "router"]

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


def _parse_items(
    raw: list[Any], settings: Settings
) -> tuple[list[tuple[int, ScoreItem]], dict[int, dict[str, Any]]]:
    good: list[tuple[int, ScoreItem]] = []
    bad: dict[int, dict[str, Any]] = {}
    for i, obj in enumerate(raw):
        try:
            item = ScoreItem.model_validate(obj)
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


@router.post("/v1/messages/score", response_class=JSONResponse)
async def score_messages(
    body: ScoreBody,
    engine: Engine = Depends(get_engine),
    settings: Settings = Depends(get_settings),
    principal: Principal = Depends(require_scope("operator")),
) -> JSONResponse:
    """Score a batch of messages (SMS firewall); results come back in the same order."""
    if len(body.messages) > settings.message_batch_max:
        raise ParseError(
            f"at most {settings.message_batch_max} messages per batch", field="messages"
        )
    good, bad = _parse_items(body.messages, settings)
    detector = _detector(engine)
    msgs = [MessageInput(it.text, sender=it.sender, channel=it.channel) for _, it in good]
    if len(msgs) > _INLINE_BATCH:
        verdicts = await run_in_threadpool(detector.analyze_batch, msgs)
    else:
        verdicts = detector.analyze_batch(msgs)
    results: list[dict[str, Any]] = [{} for _ in body.messages]
    for (i, item), verdict in zip(good, verdicts, strict=True):
        results[i] = {"index": i, "id": item.id, **verdict.to_dict(body.lang)}
    for i, err in bad.items():
        results[i] = {"index": i, "error": {"type": "invalid_input", **err}}
    return JSONResponse({"count": len(results), "errors": len(bad), "results": results})
