"""The stack's local SMTP sink: accepts every message and stores it in a Maildir.

Odoo's outgoing mail points here, so staging never e-mails a real customer, and the
stack tests read what Odoo sent (attachments included) from STACK_HOME/mail.

    python -m einvoice_stack.smtp_sink --host 127.0.0.1 --port PORT --maildir DIR
"""

from __future__ import annotations

import argparse
import asyncio
import mailbox
import os
import signal
import sys
from email import message_from_bytes, policy


class MaildirHandler:
    def __init__(self, maildir: str):
        # Maildir(create=True) makes new/cur/tmp only when the directory itself is new.
        for sub in ("new", "cur", "tmp"):
            os.makedirs(os.path.join(maildir, sub), exist_ok=True)
        self.maildir = mailbox.Maildir(maildir, create=False)

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.SMTP)
        # The envelope is what a relay would have used: keep it next to the headers.
        message["X-Sink-Mail-From"] = envelope.mail_from or ""
        message["X-Sink-Rcpt-To"] = ", ".join(envelope.rcpt_tos)
        key = self.maildir.add(mailbox.MaildirMessage(message))
        print(f"stored {key}: from {envelope.mail_from} to {', '.join(envelope.rcpt_tos)}, "
              f"subject {message.get('Subject', '')!r}", flush=True)
        return "250 Message accepted for delivery"


async def _serve(host: str, port: int, maildir: str) -> None:
    from aiosmtpd.smtp import SMTP

    loop = asyncio.get_running_loop()
    handler = MaildirHandler(maildir)
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="smtp-sink.local", data_size_limit=64 * 1024 * 1024),
        host=host, port=port,
    )
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"SMTP sink listening on {host}:{port}, storing into {maildir}", flush=True)
    async with server:
        await stop.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Local SMTP sink writing every message to a Maildir.")
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", required=True, type=int)
    parser.add_argument("--maildir", required=True)
    args = parser.parse_args(argv)
    try:
        asyncio.run(_serve(args.host, args.port, args.maildir))
    except OSError as exc:
        print(f"smtp-sink: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
