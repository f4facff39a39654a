"""Why a Claude call failed, said in one line a person can act on: the HTTP status and the
API's own message (401 bad key, 429 rate-limited, 529 overloaded, 5xx), a timeout, no
connection, or an answer that broke the tool's schema."""

from __future__ import annotations

from dataclasses import dataclass

import anthropic

AUTH_STATUSES = (401, 403)  # the key is refused: every further call would be refused too
SAID_CHARS = 200  # of the API's own message


@dataclass(frozen=True)
class CallFailure:
    said: str  # "HTTP 401 authentication_error: invalid x-api-key"
    hint: str  # what to do about it
    stops_the_run: bool = False  # no further call can succeed (a refused key)


def api_failure(error: anthropic.APIError, timeout: float) -> CallFailure:
    """An exception of the SDK, after its own retries."""
    if isinstance(error, anthropic.APITimeoutError):
        return CallFailure(
            f"a call timed out after {timeout:g} s",
            "raise [extract] timeout (METIS_EXTRACT__TIMEOUT) or wait a while",
        )
    if isinstance(error, anthropic.APIConnectionError):
        return CallFailure(
            f"no connection to the API ({_short(str(error))})",
            "check the network and the base URL (ANTHROPIC_BASE_URL, [extract] base_url)",
        )
    if isinstance(error, anthropic.APIStatusError):
        return _status_failure(error)
    return CallFailure(_short(f"{type(error).__name__}: {error}"), "check the service status")


def malformed_answer(why: str) -> CallFailure:
    return CallFailure(
        f"a malformed answer, twice: {why}",
        "try another model ([extract] model, METIS_EXTRACT__MODEL)",
    )


def _status_failure(error: anthropic.APIStatusError) -> CallFailure:
    code = error.status_code
    said = f"HTTP {code} {_api_message(error)}".rstrip()
    if code in AUTH_STATUSES:
        hint = "check ANTHROPIC_API_KEY (or METIS_ANTHROPIC_API_KEY) and the key's access"
        return CallFailure(said, hint, stops_the_run=True)
    if code == 429:
        hint = "rate-limited past the retries: lower [extract] concurrency or wait a while"
    elif code == 529:
        hint = "the API is overloaded: wait a while"
    elif code >= 500:
        hint = "the API failed: check the service status (status.anthropic.com)"
    else:
        hint = "check the model name ([extract] model) and the base URL"
    return CallFailure(said, hint)


def _api_message(error: anthropic.APIStatusError) -> str:
    """The API's error type and message (`rate_limit_error: slow down`), or the start of a
    body that is not the API's JSON (an HTML page from a proxy)."""
    body = error.body
    inner = body.get("error") if isinstance(body, dict) else None
    if isinstance(inner, dict):
        kind, message = inner.get("type", ""), inner.get("message", "")
        return _short(f"{kind}: {message}" if kind and message else f"{kind}{message}")
    text = error.response.text if body is None or isinstance(body, str) else str(body)
    return _short(text)


def _short(text: str) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= SAID_CHARS else one_line[: SAID_CHARS - 1] + "…"
