"""XAdES-EPES signing and verification of Hacienda v4.4 documents.

Load the taxpayer's key once (:class:`SigningKey`), then :func:`sign_xml` each document;
:func:`verify_xml` checks any signed document, ours or another signer's.
"""

from hacienda_cr.signing.keys import SigningKey
from hacienda_cr.signing.policy import POLICY_V44
from hacienda_cr.signing.taxpayer_ids import taxpayer_id_from_certificate
from hacienda_cr.signing.testcert import TestCA, make_test_certificate
from hacienda_cr.signing.verify import VerificationResult, verify_xml
from hacienda_cr.signing.xades import sign_xml

__all__ = [
    "POLICY_V44",
    "SigningKey",
    "TestCA",
    "VerificationResult",
    "make_test_certificate",
    "sign_xml",
    "taxpayer_id_from_certificate",
    "verify_xml",
]
