"""Hacienda's reception API: tokens from the IDP, submitting signed documents, their status.

Typical use::

    config = ClientConfig.for_environment("sandbox", username, password)
    with HaciendaClient(config) as client:
        outcome = client.submit(signed_xml)
        result = client.wait_final(outcome.clave, outcome.consecutivo_receptor)

See docs/api-client.md for the error taxonomy and the settings.
"""

from hacienda_cr.api.client import FINAL_STATES, STATES, HaciendaClient, StatusResult, SubmitOutcome
from hacienda_cr.api.config import ENVIRONMENTS, ClientConfig, Environment, Polling, RetryPolicy, Timeouts
from hacienda_cr.api.envelope import Envelope, envelope_for, status_resource
from hacienda_cr.api.errors import (
    ApiError,
    AuthenticationFailed,
    ConfigurationProblem,
    DocumentRejected,
    NotYetVisible,
    PermissionDenied,
    RetriesExhausted,
    TransientError,
    kind_of,
)
from hacienda_cr.api.tokens import MemoryTokenCache, RedisTokenCache

__all__ = [
    "ENVIRONMENTS",
    "FINAL_STATES",
    "STATES",
    "ApiError",
    "AuthenticationFailed",
    "ClientConfig",
    "ConfigurationProblem",
    "DocumentRejected",
    "Envelope",
    "Environment",
    "HaciendaClient",
    "MemoryTokenCache",
    "NotYetVisible",
    "PermissionDenied",
    "Polling",
    "RedisTokenCache",
    "RetriesExhausted",
    "RetryPolicy",
    "StatusResult",
    "SubmitOutcome",
    "Timeouts",
    "TransientError",
    "envelope_for",
    "kind_of",
    "status_resource",
]
