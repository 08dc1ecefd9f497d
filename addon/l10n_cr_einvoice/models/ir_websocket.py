import re

from odoo import models
from odoo.exceptions import AccessError

from .l10n_cr_einvoice_document import LIVE_STATE_CHANNEL

# What a form asks for (static/src/live_state): "l10n_cr_einvoice_state:<model>:<id>".
REQUESTED = re.compile(rf'{LIVE_STATE_CHANNEL}:(?P<model>[a-z_][a-z0-9_.]*):(?P<id>\d+)')


class IrWebsocket(models.AbstractModel):
    _inherit = 'ir.websocket'

    def _build_bus_channel_list(self, channels):
        """A form showing a record follows the state of its electronic documents: the record's
        subchannel, for users who may read the record."""
        if self.env.uid and not self.env.user._is_public():
            channels = list(channels)
            for channel in list(channels):
                match = REQUESTED.fullmatch(channel) if isinstance(channel, str) else None
                if not match or match['model'] not in self.env:
                    continue
                record = self.env[match['model']].browse(int(match['id'])).exists()
                try:
                    record.check_access('read')
                except AccessError:
                    continue
                if record:
                    channels.append((record, LIVE_STATE_CHANNEL))
        return super()._build_bus_channel_list(channels)
