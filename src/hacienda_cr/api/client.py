"""Submitting signed documents to Hacienda and following them to a final answer.

``HaciendaClient.submit`` never sends the same clave twice while unsure whether the first
POST arrived: after an ambiguous failure (a timeout or reset after sending, a 5xx) it asks
``GET /recepcion/{clave}`` first, and resends only on a 404 that lasts: Hacienda may not
show a document for a while after storing it, so a 404 counts as "not there" only once
``polling.not_found_grace`` has passed since the POST that may have arrived. "Ya fue
recibido" is not an error: the document is there, go poll. A 413 (too large) is a problem
of that document, final like a refusal at the gate, never of the company's configuration. Transient failures are retried with exponential
backoff and jitter, honouring Retry-After; a 401 drops the token and retries once.
"""

from __future__ import annotations

import base64
import binascii
import logging
import random
import re
import time
from dataclasses import dataclass, field
from urllib.parse import quote

from hacienda_cr.api.config import ClientConfig
from hacienda_cr.api.envelope import Envelope, envelope_for, status_resource
from hacienda_cr.api.errors import (
    AuthenticationFailed,
    DocumentRejected,
    NotYetVisible,
    PermissionDenied,
    RateLimited,
    RetriesExhausted,
    ServerError,
    TransientError,
    UnexpectedResponse,
)
from hacienda_cr.api.retry import backoff_delay, parse_retry_after
from hacienda_cr.api.tokens import MemoryTokenCache, RedisTokenCache, TokenCache, TokenProvider
from hacienda_cr.api.transport import Transport
from hacienda_cr.errors import InputError, Issue

log = logging.getLogger(__name__)

STATES = ("recibido", "procesando", "aceptado", "rechazado", "error", "not_found")
FINAL_STATES = ("aceptado", "rechazado")
_ALREADY_RECEIVED = re.compile(r"ya\s+fue\s+recibid", re.IGNORECASE)
_NOT_FOUND = re.compile(r"no\s+(?:se\s+encuentra|existe|ha\s+sido\s+recibid)|not\s+found", re.IGNORECASE)


@dataclass
class StatusResult:
    """Hacienda's answer about one document (or Mensaje Receptor)."""

    clave: str
    resource: str
    state: str  # one of STATES
    fecha: str | None = None
    reason: str | None = None  # DetalleMensaje of the MensajeHacienda, when there is one
    respuesta_xml: bytes | None = None  # the signed MensajeHacienda, as received
    verified: bool | None = None  # its signature checked out (None: no answer yet)
    verification_errors: list[str] = field(default_factory=list)
    mensaje: dict = field(default_factory=dict)  # Mensaje, EstadoMensaje, NombreEmisor, totals…
    raw: dict = field(default_factory=dict)

    @property
    def final(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def accepted(self) -> bool:
        return self.state == "aceptado"

    def as_dict(self) -> dict:
        return {
            "clave": self.clave,
            "resource": self.resource,
            "state": self.state,
            "final": self.final,
            "fecha": self.fecha,
            "reason": self.reason,
            "verified": self.verified,
            "verification_errors": list(self.verification_errors),
            "mensaje": dict(self.mensaje),
        }


@dataclass
class SubmitOutcome:
    """Hacienda has the document: ``received`` now, or ``already_received`` earlier."""

    clave: str
    resource: str
    result: str  # "received" | "already_received"
    consecutivo_receptor: str | None
    attempts: int  # POSTs sent
    status_checks: int = 0  # status queries made because an attempt was ambiguous
    location: str | None = None
    status: StatusResult | None = None  # what the status check found, if one was made

    def as_dict(self) -> dict:
        return {
            "clave": self.clave,
            "resource": self.resource,
            "result": self.result,
            "consecutivo_receptor": self.consecutivo_receptor,
            "attempts": self.attempts,
            "status_checks": self.status_checks,
            "location": self.location,
        }


class HaciendaClient:
    """One taxpayer's connection to Hacienda's reception API. Thread-safe."""

    def __init__(self, config: ClientConfig, token_cache: TokenCache | None = None, *, rng: random.Random | None = None):
        config.check()
        self.config = config
        self.transport = Transport(config)
        if token_cache is None:
            token_cache = RedisTokenCache(config.token_cache_url) if config.token_cache_url else MemoryTokenCache()
        self.tokens = TokenProvider(config, self.transport, token_cache)
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not secrets

    def __enter__(self) -> HaciendaClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.transport.close()

    # -- submission -------------------------------------------------------------------

    def submit(
        self,
        signed_xml: bytes,
        callback_url: str | None = None,
        *,
        emisor_tipo: str | None = None,
        receptor_tipo: str | None = None,
        may_have_arrived: bool = False,
        sent_at: float | None = None,
    ) -> SubmitOutcome:
        """Send a signed document; returns once Hacienda has it (202, or "ya fue recibido").

        ``may_have_arrived=True`` says an earlier attempt (e.g. before a crash) may have
        reached Hacienda: the status is asked before anything is sent. ``sent_at``
        (``time.time()`` of that attempt) says when: a 404 within ``polling.not_found_grace``
        of it is asked again later instead of sending again (None: long enough ago).
        Raises DocumentRejected (final), ConfigurationProblem, RetriesExhausted (transient;
        its ``ambiguous`` tells whether to pass ``may_have_arrived`` next time) or InputError.
        """
        envelope = envelope_for(signed_xml, callback_url=callback_url, emisor_tipo=emisor_tipo, receptor_tipo=receptor_tipo)
        return self.submit_envelope(envelope, may_have_arrived=may_have_arrived, sent_at=sent_at)

    def submit_envelope(
        self, envelope: Envelope, *, may_have_arrived: bool = False, sent_at: float | None = None
    ) -> SubmitOutcome:
        policy = self.config.retry
        unsure = may_have_arrived
        unsure_since = sent_at if may_have_arrived else None
        posted_at = time.time()
        sent = [0]  # POST requests actually sent (a token failure sends nothing)
        checks = 0
        last: TransientError | None = None
        for attempt in range(1, policy.max_attempts + 1):
            try:
                if unsure:
                    found, asked = self._status_after_post(envelope, unsure_since)
                    checks += asked
                    if found.state != "not_found":
                        log.info("%s: the earlier attempt did arrive (%s); not sending again", envelope.resource, found.state)
                        return SubmitOutcome(
                            envelope.clave,
                            envelope.resource,
                            "already_received",
                            envelope.consecutivo_receptor,
                            sent[0],
                            checks,
                            status=found,
                        )
                    unsure = False  # Hacienda does not have it: resending is safe
                posted_at = time.time()
                resp = self._api(
                    "POST", "recepcion", json=envelope.as_json(), headers={"Content-Type": "application/json"}, sent=sent
                )
                if resp.status_code in (200, 201, 202):
                    return SubmitOutcome(
                        envelope.clave,
                        envelope.resource,
                        "received",
                        envelope.consecutivo_receptor,
                        sent[0],
                        checks,
                        location=resp.headers.get("Location"),
                    )
                cause = _error_cause(resp)
                if resp.status_code == 400 and _ALREADY_RECEIVED.search(cause):
                    return SubmitOutcome(
                        envelope.clave, envelope.resource, "already_received", envelope.consecutivo_receptor, sent[0], checks
                    )
                if resp.status_code == 400:
                    raise DocumentRejected(
                        f"Hacienda refused document {envelope.resource}: {cause or 'no reason given'}",
                        reason=cause or "400 Bad Request without X-Error-Cause",
                        clave=envelope.clave,
                    )
                if resp.status_code == 413:
                    # Nothing was stored, and the same bytes will never fit: like a refusal at
                    # the gate, it concerns this document only (the others go on being sent).
                    reason = f"the document is too large for Hacienda (413){': ' + cause if cause else ''}"
                    raise DocumentRejected(
                        f"Hacienda refused document {envelope.resource}: {reason}",
                        reason=reason, status=413, clave=envelope.clave,
                    )
                raise self._error_for(resp, cause, posting=True, what=f"document {envelope.resource}", envelope=envelope)
            except TransientError as exc:
                last = exc
                if exc.ambiguous:
                    if not unsure:
                        unsure_since = posted_at
                    unsure = True
                if not self._pause(attempt, exc, f"submit {envelope.resource}"):
                    break
        assert last is not None
        raise RetriesExhausted(
            f"could not submit {envelope.resource} after {attempt} attempt(s): {last.message}"
            + (" — it may have arrived: ask its status before sending it again" if unsure else ""),
            last,
            attempt,
            ambiguous=unsure,
        )

    def _status_after_post(self, envelope: Envelope, since: float | None) -> tuple[StatusResult, int]:
        """(status, queries made) of a document whose POST at ``since`` may have arrived.

        A 404 right after such a POST proves nothing (Hacienda may not show a document at
        once): it is asked again at the polling intervals until ``polling.not_found_grace``
        has passed since the POST. A wait longer than the retry policy allows in one call
        ends it with a transient, ambiguous NotYetVisible saying how long to wait."""
        polling = self.config.polling
        interval = polling.first_interval
        asked = 0
        while True:
            found = self._status_once(envelope.clave, envelope.consecutivo_receptor)
            asked += 1
            remaining = polling.not_found_grace - (time.time() - since) if since is not None else 0
            if found.state != "not_found" or remaining <= 0:
                return found, asked
            if remaining > self.config.retry.max_retry_after:
                raise NotYetVisible(
                    f"Hacienda does not show {envelope.resource} yet, after a submission that may have "
                    f"arrived (it may take up to {polling.not_found_grace:g} s): asking again in "
                    f"{remaining:.0f} s before sending it again",
                    retry_after=remaining,
                    ambiguous=True,
                )
            time.sleep(min(interval, remaining))
            interval = min(polling.max_interval, interval * polling.multiplier)

    # -- status -----------------------------------------------------------------------

    def status(self, clave: str, consecutivo_receptor: str | None = None) -> StatusResult:
        """``GET /recepcion/{clave}[-{consecutivoReceptor}]``, retried while transient."""
        _check_clave(clave, consecutivo_receptor)
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._status_once(clave, consecutivo_receptor)
            except TransientError as exc:
                if not self._pause(attempt, exc, f"status of {status_resource(clave, consecutivo_receptor)}"):
                    raise RetriesExhausted(
                        f"could not get the status of {status_resource(clave, consecutivo_receptor)} "
                        f"after {attempt} attempt(s): {exc.message}",
                        exc,
                        attempt,
                        ambiguous=False,
                    ) from None

    def wait_final(
        self,
        clave: str,
        consecutivo_receptor: str | None = None,
        *,
        timeout: float | None = None,
        first_interval: float | None = None,
    ) -> StatusResult:
        """Poll until aceptado/rechazado (with its MensajeHacienda), ``error``, or ``timeout``.

        Returns the last answer: check ``.final``. A 404 is polled through for
        ``polling.not_found_grace`` seconds (Hacienda may not show a document right away)."""
        polling = self.config.polling
        timeout = polling.timeout if timeout is None else timeout
        interval = polling.first_interval if first_interval is None else first_interval
        started = time.monotonic()
        while True:
            result = self.status(clave, consecutivo_receptor)
            elapsed = time.monotonic() - started
            if result.final and result.respuesta_xml is not None:
                return result
            if result.state == "error":
                return result
            if result.state == "not_found" and elapsed >= polling.not_found_grace:
                return result
            if elapsed + interval > timeout:
                return result
            time.sleep(interval)
            interval = min(polling.max_interval, interval * polling.multiplier)

    def submit_and_wait(self, signed_xml: bytes, callback_url: str | None = None, **kwargs) -> tuple[SubmitOutcome, StatusResult]:
        outcome = self.submit(signed_xml, callback_url)
        return outcome, self.wait_final(outcome.clave, outcome.consecutivo_receptor, **kwargs)

    def list_documents(
        self,
        *,
        offset: int = 0,
        limit: int = 50,
        emisor: str | None = None,
        receptor: str | None = None,
    ) -> list[dict]:
        """``GET /comprobantes``: the authenticated taxpayer's documents, one page."""
        params = {"offset": offset, "limit": limit}
        if emisor:
            params["emisor"] = emisor
        if receptor:
            params["receptor"] = receptor
        attempt = 0
        while True:
            attempt += 1
            try:
                resp = self._api("GET", "comprobantes", params=params)
                if resp.status_code == 200:
                    body = _json(resp, "GET /comprobantes")
                    if not isinstance(body, list):
                        raise UnexpectedResponse("GET /comprobantes did not answer a list")
                    return body
                raise self._error_for(resp, _error_cause(resp), posting=False, what="the document list")
            except TransientError as exc:
                if not self._pause(attempt, exc, "list documents"):
                    raise RetriesExhausted(f"could not list documents: {exc.message}", exc, attempt, ambiguous=False) from None

    # -- internals --------------------------------------------------------------------

    def _pause(self, attempt: int, exc: TransientError, what: str) -> bool:
        """Sleep before the next attempt; False when no attempt is left."""
        policy = self.config.retry
        if attempt >= policy.max_attempts:
            return False
        if exc.retry_after is not None and exc.retry_after > policy.max_retry_after:
            return False
        delay = backoff_delay(policy, attempt, exc.retry_after, self._rng)
        log.info("%s: %s; retrying in %.2f s", what, exc.message, delay)
        time.sleep(delay)
        return True

    def _url(self, path: str) -> str:
        return self.config.environment.api_url + path

    def _api(self, method: str, path: str, *, headers: dict | None = None, sent: list | None = None, **kwargs):
        """One authenticated request; a 401 drops the token and retries once with a new one.

        ``sent[0]`` counts the requests that went out (a refused token one included)."""
        for first in (True, False):
            token = self.tokens.access_token()
            if sent is not None:
                sent[0] += 1
            resp = self.transport.request(
                method, self._url(path), headers={**(headers or {}), "Authorization": f"Bearer {token}"}, **kwargs
            )
            if resp.status_code != 401:
                return resp
            self.tokens.invalidate(token)
            if not first:
                raise AuthenticationFailed(
                    f"Hacienda's API at {self.config.environment.api_url} refused a freshly issued token for "
                    f"{self.config.username} (401): the user may lack API access, or the API and IDP URLs "
                    "belong to different environments (sandbox vs production)",
                    status=401,
                    cause=_error_cause(resp),
                )
        raise AssertionError("unreachable")

    def _status_once(self, clave: str, consecutivo_receptor: str | None) -> StatusResult:
        resource = status_resource(clave, consecutivo_receptor)
        resp = self._api("GET", f"recepcion/{quote(resource)}", headers={"Accept": "application/json"})
        cause = _error_cause(resp)
        if resp.status_code == 404 or (resp.status_code == 400 and _NOT_FOUND.search(cause)):
            return StatusResult(clave, resource, "not_found", reason=cause or None)
        if resp.status_code == 400:
            raise InputError(Issue("clave", f"Hacienda refused the status query for {resource}: {cause or 'no reason given'}"))
        if resp.status_code != 200:
            raise self._error_for(resp, cause, posting=False, what=f"the status of {resource}")
        body = _json(resp, f"GET /recepcion/{resource}")
        if not isinstance(body, dict):
            raise UnexpectedResponse(f"GET /recepcion/{resource} did not answer a JSON object")
        state = str(body.get("ind-estado") or "").strip().lower()
        if state not in STATES:
            raise UnexpectedResponse(f"GET /recepcion/{resource} answered an unknown ind-estado {body.get('ind-estado')!r}")
        result = StatusResult(clave, resource, state, fecha=body.get("fecha"), raw=body)
        encoded = body.get("respuesta-xml")
        if encoded:
            self._read_answer(result, encoded)
        return result

    def _read_answer(self, result: StatusResult, encoded: str) -> None:
        try:
            xml = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError, TypeError):
            result.verified = False
            result.verification_errors.append("respuesta-xml is not valid Base64")
            return
        result.respuesta_xml = xml
        result.mensaje, result.reason, errors = read_mensaje_hacienda(xml, result.clave, self.config.trusted_certs)
        result.verification_errors.extend(errors)
        result.verified = not errors

    def _error_for(self, resp, cause: str, *, posting: bool, what: str, envelope: Envelope | None = None) -> Exception:
        status = resp.status_code
        detail = f": {cause}" if cause else ""
        if status == 403:
            who = f" for taxpayer {envelope.emisor[0]}-{envelope.emisor[1]}" if envelope else ""
            return PermissionDenied(
                f"Hacienda's API user {self.config.username} is not authorised{who} (403){detail}. "
                "The API user must belong to the taxpayer whose documents it sends.",
                status=403,
                cause=cause,
            )
        if status == 429:
            return RateLimited(
                f"Hacienda is throttling requests (429) for {what}{detail}",
                status=429,
                cause=cause,
                retry_after=parse_retry_after(resp.headers.get("Retry-After")),
            )
        if status >= 500 or status == 408:
            # A 5xx to a POST may come after Hacienda stored the document.
            return ServerError(f"Hacienda answered {status} for {what}{detail}", status=status, cause=cause, ambiguous=posting)
        if status == 404:
            return UnexpectedResponse(
                f"{self._url('recepcion')} does not exist (404): check the API URL", status=404, cause=cause
            )
        return UnexpectedResponse(
            f"unexpected answer {status} for {what}{detail or ': ' + resp.text[:200]}", status=status, cause=cause
        )


def read_mensaje_hacienda(xml: bytes, clave: str | None = None, trusted_certs=()) -> tuple[dict, str | None, list[str]]:
    """Fields of a MensajeHacienda, its DetalleMensaje, and what is wrong with its signature.

    The signature is checked cryptographically (and against ``trusted_certs`` when given);
    Hacienda's own signature policy is not the one it demands of taxpayers, so the v4.4
    policy is not required here."""
    from hacienda_cr.documents import parse_document
    from hacienda_cr.signing import verify_xml

    errors: list[str] = []
    try:
        doc = parse_document(xml)
    except InputError as exc:
        return {}, None, [f"respuesta-xml is not XML: {exc}"]
    if doc.doc_type is not None:
        return {}, None, [f"respuesta-xml is a {doc.root}, not a MensajeHacienda"]
    data = doc.data
    fields = {k: _plain(v) for k, v in data.items()}
    if clave and data.get("Clave") != clave:
        errors.append(f"the MensajeHacienda is about clave {data.get('Clave')}, not {clave}")
    try:
        verdict = verify_xml(xml, trusted_certs=list(trusted_certs) or None, require_v44_policy=False)
        errors.extend(verdict.errors)
    except InputError as exc:
        errors.append(f"the MensajeHacienda signature cannot be checked: {exc}")
    return fields, data.get("DetalleMensaje"), errors


def _plain(value):
    return str(value) if not isinstance(value, (str, int, dict, list)) else value


def _check_clave(clave: str, consecutivo_receptor: str | None) -> None:
    issues = []
    if not isinstance(clave, str) or not re.fullmatch(r"[A-Za-z0-9]{50}", clave):
        issues.append(Issue("clave", f"{clave!r} is not a clave: 50 letters or digits expected"))
    if consecutivo_receptor is not None and not re.fullmatch(r"\d{20}", str(consecutivo_receptor)):
        issues.append(Issue("consecutivoReceptor", f"{consecutivo_receptor!r} is not a 20-digit consecutivo"))
    if issues:
        raise InputError(issues)


def _error_cause(resp) -> str:
    return (resp.headers.get("X-Error-Cause") or resp.headers.get("validation-exception") or "").strip()


def _json(resp, what: str):
    try:
        return resp.json()
    except ValueError:
        raise UnexpectedResponse(f"{what} answered {resp.status_code} with something that is not JSON") from None

