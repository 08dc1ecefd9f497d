"""What went wrong talking to Hacienda, in the user's words.

The library's error messages are English and written for the log; users read them in chatter
lines, banners and notifications written by the queue. Its errors say what happened in their
class and attributes (HTTP status, Hacienda's own cause, which is in Spanish), from which the
sentence is made here."""

from odoo.tools.translate import LazyTranslate

from hacienda_cr.api import errors

_lt = LazyTranslate(__name__)

KINDS = [
    (errors.ConnectionFailed, _lt("the connection failed")),
    (errors.RequestTimedOut, _lt("it did not answer in time")),
    (errors.RateLimited, _lt("it asked to wait: too many requests")),
    (errors.ServerError, _lt("it answered with an error of its own")),
    (errors.AuthenticationFailed, _lt("it did not accept the API user or its password")),
    (errors.PermissionDenied, _lt("the API user may not act for this taxpayer")),
    (errors.UnexpectedResponse, _lt("the answer did not come from Hacienda's API: check its URL")),
]


def describe_api_error(env, exc):
    """``exc`` (a ``hacienda_cr.api.ApiError``) as a short clause: what happened, the HTTP status
    and Hacienda's own words when there are."""
    last = getattr(exc, 'last', None) or exc  # RetriesExhausted: the last attempt says what happened
    what = next((env._(text) for kind, text in KINDS if isinstance(last, kind)), None)
    if what is None:
        return exc.message
    details = [f"HTTP {last.status}" if last.status else '', last.cause or '']
    details = '; '.join(d for d in details if d)
    return f"{what} ({details})" if details else what
