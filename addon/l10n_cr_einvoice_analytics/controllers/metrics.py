"""GET /metrics: Prometheus' text format, for a scraper holding the bearer token.

The token is the content of the file named by ``l10n_cr_einvoice_metrics_token_file`` in
odoo.conf. Without that file, or without the right ``Authorization: Bearer`` header, the
answer is a plain 404, as for any path that does not exist. The public virtual host (nginx)
refuses /metrics anyway: Prometheus scrapes Odoo's own port."""

import hmac
import logging
import os
import threading

from odoo import SUPERUSER_ID, http
from odoo.http import request
from odoo.tools import config
from prometheus_client import CollectorRegistry, generate_latest

_logger = logging.getLogger(__name__)
# generate_latest() writes the classic text format (every name here is a legacy-valid name), which
# every Prometheus reads; newer prometheus-client releases would announce version=1.0.0.
CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'
TOKEN_OPTION = 'l10n_cr_einvoice_metrics_token_file'  # noqa: S105 (the option's name, not a secret)

_token_lock = threading.Lock()
_token_cache = {}  # path -> (mtime_ns, token)
_warned = set()


def configured_token():
    """The token from the configured file (re-read when the file changes); None when unusable."""
    path = config.get(TOKEN_OPTION)
    if not path:
        _warn_once('unset', "/metrics is disabled: %s is not set in the server configuration", TOKEN_OPTION)
        return None
    try:
        mtime = os.stat(path).st_mtime_ns
        with _token_lock:
            cached = _token_cache.get(path)
            if cached and cached[0] == mtime:
                return cached[1]
            with open(path, encoding='utf-8') as handle:
                token = handle.read().strip()
            _token_cache[path] = (mtime, token)
    except OSError as exc:
        _warn_once(path, "/metrics is disabled: the token file %s (%s) cannot be read: %s", path, TOKEN_OPTION,
                   exc.strerror)
        return None
    if not token:
        _warn_once(path + ':empty', "/metrics is disabled: the token file %s is empty", path)
        return None
    return token


def _warn_once(key, message, *args):
    if key not in _warned:
        _warned.add(key)
        _logger.warning(message, *args)


def authorized(header):
    token = configured_token()
    if not token or not header:
        return False
    scheme, _, given = header.partition(' ')
    if scheme.lower() != 'bearer':
        return False
    return hmac.compare_digest(given.strip().encode('utf-8'), token.encode('utf-8'))


class _Families:
    """A prometheus_client collector over families computed once for this scrape."""

    def __init__(self, families):
        self._families = families

    def collect(self):
        return iter(self._families)


class MetricsController(http.Controller):

    @http.route('/metrics', type='http', auth='none', methods=['GET'], csrf=False, save_session=False,
                readonly=True)
    def metrics(self, **_kwargs):
        if not authorized(request.httprequest.headers.get('Authorization')):
            return request.make_response('Not Found', headers=[('Content-Type', 'text/plain')], status=404)
        if not request.db:
            # No database selected (several databases and no dbfilter): nothing to report.
            return request.make_response('Not Found', headers=[('Content-Type', 'text/plain')], status=404)
        request.update_env(user=SUPERUSER_ID)
        families = request.env['l10n_cr.einvoice.metrics']._l10n_cr_metric_families()
        registry = CollectorRegistry(auto_describe=False)
        registry.register(_Families(families))
        return request.make_response(
            generate_latest(registry), headers=[('Content-Type', CONTENT_TYPE), ('Cache-Control', 'no-store')])
