"""Problems of the signing key in the user's words.

The library says what is wrong with a .p12 in English, with an issue code (``KEY_PROBLEM_CODES``);
the user reads it here in their language, with what to do about it."""

from datetime import timezone

from odoo.exceptions import UserError
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)


class CertificateProblem(UserError):
    """The company's signing certificate cannot sign (missing, expired, wrong PIN, another
    taxpayer's…): what is waiting to be signed waits for a usable one, not for corrected data."""


KEY_PROBLEMS = {
    'pkcs12_empty': _lt("the certificate file is empty"),
    'pkcs12_not_pkcs12': _lt("the file is not a .p12 certificate, or it is incomplete: upload the .p12 file "
                             "Hacienda issued (ATV / TRIBU-CR)"),
    'pkcs12_wrong_pin': _lt("the PIN is wrong for this certificate"),
    'pkcs12_damaged': _lt("the PIN is right but the .p12 file could not be decrypted: it is damaged or uses an "
                          "algorithm this server does not support"),
    'pkcs12_unreadable': _lt("the .p12 file could not be opened: the PIN is wrong or the file is damaged"),
    'pkcs12_no_key': _lt("the .p12 file holds no private key"),
    'pkcs12_no_certificate': _lt("the .p12 file holds no certificate for its private key"),
    'key_not_rsa': _lt("the key is not an RSA key, which Hacienda's signatures need"),
    'key_too_short': _lt("the RSA key is shorter than the 2048 bits Hacienda requires"),
    'key_mismatch': _lt("the private key does not belong to the certificate"),
    'certificate_expired': _lt("the certificate expired on %s: upload the current one"),
    'certificate_not_yet_valid': _lt("the certificate is not valid before %s"),
}
DATED = {'certificate_expired': 'not_valid_after', 'certificate_not_yet_valid': 'not_valid_before'}


def describe_key_problem(env, exc, key=None):
    """The InputError ``exc`` raised loading or checking a signing key, as one sentence (``key``:
    the loaded key, for the dates of a validity problem)."""
    texts = []
    for issue in exc.issues:
        template = KEY_PROBLEMS.get(issue.code)
        if not template:
            texts.append(issue.message)
        elif issue.code in DATED:
            when = getattr(key, DATED[issue.code], None) if key else None
            day = when.astimezone(timezone.utc).strftime('%Y-%m-%d %H:%M UTC') if when else '?'
            texts.append(env._(template) % day)
        else:
            texts.append(env._(template))
    return '; '.join(texts)
