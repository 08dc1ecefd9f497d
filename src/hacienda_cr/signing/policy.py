"""Hacienda's v4.4 signature policy and the algorithm identifiers a v4.4 signature uses.

The policy identifier and its digest are the ones every independent v4.4 implementation
embeds (the SHA-256 of the resolution PDF, whose published hex hash starts 0d6c629f).
"""

from __future__ import annotations

from dataclasses import dataclass

from hacienda_cr.costa_rica_time import CR_TZ as COSTA_RICA  # noqa: F401 (re-exported)

DS_NS = "http://www.w3.org/2000/09/xmldsig#"
XADES_NS = "http://uri.etsi.org/01903/v1.3.2#"
XML_NS = "http://www.w3.org/XML/1998/namespace"

C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
C14N_WITH_COMMENTS = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
EXC_C14N_WITH_COMMENTS = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
XPATH = "http://www.w3.org/TR/1999/REC-xpath-19991116"
XPATH_FILTER2 = "http://www.w3.org/2002/06/xmldsig-filter2"

RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
SIGNED_PROPERTIES_TYPE = "http://uri.etsi.org/01903#SignedProperties"


@dataclass(frozen=True)
class SignaturePolicy:
    identifier: str
    digest_algorithm: str
    digest_value: str  # Base64, as written in SigPolicyHash/DigestValue


POLICY_V44 = SignaturePolicy(
    identifier=(
        "https://cdn.comprobanteselectronicos.go.cr/xml-schemas/"
        "Resoluci%C3%B3n_General_sobre_disposiciones_t%C3%A9cnicas_comprobantes_electr"
        "%C3%B3nicos_para_efectos_tributarios.pdf"
    ),
    digest_algorithm=SHA256,
    digest_value="DWxin1xWOeI8OuWQXazh4VjLWAaCLAA954em7DMh0h8=",
)
