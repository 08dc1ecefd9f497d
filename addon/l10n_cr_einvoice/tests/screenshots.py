"""Screenshots of the real UI for the guides, taken while a tour runs: the tour logs
``l10n_cr_screenshot:<name>`` when the page shows what the guide describes, and the page is captured
then into ``<--screenshots dir>/<screenshot_subdir>/<name>.png``."""

import base64
import logging
from pathlib import Path
from unittest.mock import patch

from odoo.tests.common import ChromeBrowser
from odoo.tools import config

_logger = logging.getLogger(__name__)
MARKER = 'l10n_cr_screenshot:'


class TourScreenshots:
    """Mixin for an HttpCase: ``self.saved`` holds the names captured so far."""

    screenshot_subdir = None

    def setUp(self):
        super().setUp()
        if not config['screenshots']:
            self.fail("no screenshot directory: give odoo-bin --screenshots=DIR")
        self.shot_dir = Path(config['screenshots']) / self.screenshot_subdir
        self.shot_dir.mkdir(parents=True, exist_ok=True)
        self.saved = set()
        original = ChromeBrowser._handle_console
        test = self

        def handle_console(browser, type, args=None, **kwargs):
            if type == 'log' and args:
                first = browser._from_remoteobject(args[0])
                if isinstance(first, str) and first.startswith(MARKER):
                    test._capture(browser, first[len(MARKER):])
            return original(browser, type, args=args, **kwargs)

        self.startPatcher(patch.object(ChromeBrowser, '_handle_console', handle_console))

    def _capture(self, browser, name):
        def save(future):
            try:
                data = future.result(timeout=0)['data']
            except Exception as exc:  # a missing picture fails the test, with this reason logged
                _logger.error("screenshot %s failed: %s", name, exc)
                return
            (self.shot_dir / f'{name}.png').write_bytes(base64.b64decode(data))
            self.saved.add(name)

        future = browser._websocket_send('Page.captureScreenshot', params={'format': 'png'}, with_future=True)
        future.add_done_callback(save)
