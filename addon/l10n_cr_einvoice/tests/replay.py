"""Replaying recorded HTTP answers for what the simulator cannot be made to do.

``Replay(test, ('status', 'status-error.json'), ...)`` patches the API client's transport:
token requests get ``responses/token.json``; every other request must match the next
scripted (kind, file) pair, where kind is ``submit`` or ``status``. ``{clave}`` and
``{api}`` in a file are replaced by the document's clave and the API base URL.
"""

import json
from unittest.mock import patch
from urllib.parse import urlsplit

import requests
from requests.structures import CaseInsensitiveDict

from hacienda_cr.api.transport import Transport

from .common import RESPONSES_DIR


def recorded_response(filename, url, **values):
    spec = json.loads((RESPONSES_DIR / filename).read_text(encoding='utf-8'))

    def fill(text):
        for key, value in values.items():
            text = text.replace('{' + key + '}', value)
        return text

    response = requests.Response()
    response.status_code = spec['status']
    response.url = url
    response.headers = CaseInsensitiveDict({k: fill(v) for k, v in spec.get('headers', {}).items()})
    if 'json' in spec:
        body = fill(json.dumps(spec['json'])).encode()
    else:
        body = fill(spec.get('body', '')).encode()
    response._content = body
    response.encoding = 'utf-8'
    return response


class Replay:
    def __init__(self, test, *script, clave='', api='http://127.0.0.1/recepcion/v1/'):
        self.test = test
        self.script = list(script)
        self.values = {'clave': clave, 'api': api}
        self.requests = []

    def _request(self, transport, method, url, **kwargs):
        path = urlsplit(url).path
        kind = 'token' if path.endswith('/token') else 'submit' if method == 'POST' else 'status'
        self.requests.append((kind, method, path))
        if kind == 'token':
            return recorded_response('token.json', url)
        self.test.assertTrue(self.script, f"unexpected request {method} {path}: the replay script is used up")
        expected_kind, filename = self.script.pop(0)
        self.test.assertEqual(kind, expected_kind, f"expected a {expected_kind} request, got {method} {path}")
        return recorded_response(filename, url, **self.values)

    def __enter__(self):
        replay = self

        def request(transport, method, url, **kwargs):
            return replay._request(transport, method, url, **kwargs)

        self._patcher = patch.object(Transport, 'request', request)
        self._patcher.start()
        return self

    def __exit__(self, *exc):
        self._patcher.stop()
        if exc[0] is None:
            self.test.assertFalse(self.script, f"scripted answers not used: {self.script}")
