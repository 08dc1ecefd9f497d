"""Per-server settings read from Odoo's configuration file (odoo.conf), not the database.

``l10n_cr_einvoice_schema_dir``       directory holding the XSD sets (v4.4/, v4.4-2026/)
``l10n_cr_einvoice_redis_url``        Redis shared by every worker for Hacienda tokens
``l10n_cr_einvoice_redis_prefix``     key prefix in that Redis
``l10n_cr_environment``      default environment of new companies
``l10n_cr_einvoice_simulator_url``    where the simulator listens (environment "simulator")
``l10n_cr_schema_set``       default schema set of new companies
``l10n_cr_einvoice_pki_dir``          Costa Rica's national PKI certificates (supplier signatures
                                      must chain to them; see hacienda_cr.pki)
``l10n_cr_einvoice_hacienda_certificates``  PEM file of the certificate(s) Hacienda signs its
                                      answers with, or their CA: answers must verify against it
``l10n_cr_einvoice_simulator_trust_anchors``  staging only: PEM file of test CAs that supplier
                                      signatures may chain to besides the national PKI, for
                                      companies working with the simulator and no others
"""

import os

from odoo.tools import config

DEFAULT_SIMULATOR_URL = 'http://127.0.0.1:8090'
ENVIRONMENTS = ('simulator', 'sandbox', 'production')
SCHEMA_SETTINGS = ('auto', 'v4.4', 'v4.4-2026')


def _get(key):
    value = config.get(key)
    if value in (None, False, ''):
        return None
    return str(value).strip() or None


def schema_dir():
    """The XSD directory: odoo.conf, else $HACIENDA_XSD_DIR; None lets the library use its cache."""
    return _get('l10n_cr_einvoice_schema_dir') or os.environ.get('HACIENDA_XSD_DIR') or None


def pki_dir():
    """The national PKI directory: odoo.conf, else $HACIENDA_PKI_DIR; None lets the library use its cache."""
    return _get('l10n_cr_einvoice_pki_dir') or os.environ.get('HACIENDA_PKI_DIR') or None


def simulator_trust_anchors():
    """Path of the PEM file of test CAs trusted for companies on the simulator, or None."""
    return _get('l10n_cr_einvoice_simulator_trust_anchors')


def hacienda_certificates():
    """Path of the PEM file Hacienda's answers must verify against, or None (not configured)."""
    return _get('l10n_cr_einvoice_hacienda_certificates')


def redis_url():
    return _get('l10n_cr_einvoice_redis_url')


def redis_prefix():
    return _get('l10n_cr_einvoice_redis_prefix') or 'l10n-cr-einvoice:token:'


def default_environment():
    value = _get('l10n_cr_environment')
    return value if value in ENVIRONMENTS else 'sandbox'


def simulator_url():
    return _get('l10n_cr_einvoice_simulator_url') or DEFAULT_SIMULATOR_URL


def default_schema_setting():
    value = _get('l10n_cr_schema_set')
    return value if value in SCHEMA_SETTINGS else 'auto'
