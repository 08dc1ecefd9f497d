"""Hacienda's public data services: taxpayers, exchange rates, CABYS, exonerations.

``api.hacienda.go.cr`` answers without credentials; the simulator serves the same paths.
Typical use::

    client = PublicDataClient(public_api_url("production"))
    try:
        taxpayer = client.taxpayer("3101123456")
    except ServiceUnavailable:
        ...  # down, slow or malformed: use what is stored, and say so
    except NotFound:
        ...  # Hacienda does not know this identification

See docs/public-api.md for the requests, the answers and where they are documented.
"""

from hacienda_cr.public_data.answers import (
    Activity,
    CabysItem,
    CabysResults,
    ExchangeRate,
    Exoneration,
    Taxpayer,
)
from hacienda_cr.public_data.cache import ExpiringCache
from hacienda_cr.public_data.client import (
    AUTHORISATION_PATTERN,
    ENVIRONMENT_URLS,
    PUBLIC_API_URL,
    LookupSettings,
    PublicDataClient,
    normalise_authorisation,
    normalise_identification,
    public_api_url,
)
from hacienda_cr.public_data.errors import (
    MalformedAnswer,
    NotFound,
    PublicDataError,
    ServiceDown,
    ServiceSlow,
    ServiceUnavailable,
)

__all__ = [
    "AUTHORISATION_PATTERN",
    "ENVIRONMENT_URLS",
    "PUBLIC_API_URL",
    "Activity",
    "CabysItem",
    "CabysResults",
    "ExchangeRate",
    "Exoneration",
    "ExpiringCache",
    "LookupSettings",
    "MalformedAnswer",
    "NotFound",
    "PublicDataClient",
    "PublicDataError",
    "ServiceDown",
    "ServiceSlow",
    "ServiceUnavailable",
    "Taxpayer",
    "normalise_authorisation",
    "normalise_identification",
    "public_api_url",
]
