"""Just enough of PostgreSQL's wire protocol (v3, SCRAM-SHA-256, simple queries) to check
the stack's database through its real interface with the standard library only (the
NixOS e2e test runs these tests with pytest + requests and no database driver)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import socket
import struct


class PgError(AssertionError):
    pass


class PgConnection:
    def __init__(self, host: str, port: int, user: str, database: str, password: str, timeout: float = 10):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.server_params: dict[str, str] = {}
        try:
            self._startup(user, database, password)
        except BaseException:
            self.sock.close()
            raise

    # --- framing -------------------------------------------------------------------
    def _recv_exact(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise PgError("the server closed the connection")
            data += chunk
        return data

    def _read(self) -> tuple[bytes, bytes]:
        kind = self._recv_exact(1)
        (length,) = struct.unpack("!i", self._recv_exact(4))
        body = self._recv_exact(length - 4)
        if kind == b"E":
            fields = dict((f[:1].decode(), f[1:].decode("utf-8", "replace")) for f in body.split(b"\0") if f)
            raise PgError(f"{fields.get('S', 'ERROR')}: {fields.get('M', '?')} (SQLSTATE {fields.get('C', '?')})")
        return kind, body

    def _send(self, kind: bytes, body: bytes) -> None:
        self.sock.sendall(kind + struct.pack("!i", len(body) + 4) + body)

    # --- startup and SCRAM-SHA-256 --------------------------------------------------
    def _startup(self, user: str, database: str, password: str) -> None:
        params = b"user\0" + user.encode() + b"\0database\0" + database.encode() + b"\0\0"
        body = struct.pack("!i", 196608) + params
        self.sock.sendall(struct.pack("!i", len(body) + 4) + body)
        kind, body = self._read()
        if kind != b"R":
            raise PgError(f"expected an authentication request, got {kind!r}")
        (code,) = struct.unpack("!i", body[:4])
        if code == 10:
            mechanisms = [m.decode() for m in body[4:].split(b"\0") if m]
            if "SCRAM-SHA-256" not in mechanisms:
                raise PgError(f"server offers {mechanisms}, not SCRAM-SHA-256")
            self._scram(password)
        elif code != 0:
            raise PgError(f"unsupported authentication method {code} (the stack uses SCRAM-SHA-256)")
        while True:
            kind, body = self._read()
            if kind == b"S":
                name, value, _ = body.split(b"\0", 2)
                self.server_params[name.decode()] = value.decode()
            elif kind == b"Z":
                return

    def _scram(self, password: str) -> None:
        nonce = base64.b64encode(os.urandom(18)).decode()
        first_bare = f"n=,r={nonce}"
        first = ("n,," + first_bare).encode()
        self._send(b"p", b"SCRAM-SHA-256\0" + struct.pack("!i", len(first)) + first)
        kind, body = self._read()
        (code,) = struct.unpack("!i", body[:4])
        if kind != b"R" or code != 11:
            raise PgError("SCRAM: expected the server's first message")
        server_first = body[4:].decode()
        attrs = dict(item.split("=", 1) for item in server_first.split(","))
        if not attrs["r"].startswith(nonce):
            raise PgError("SCRAM: the server's nonce does not extend ours")
        salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(attrs["s"]), int(attrs["i"]))
        client_key = hmac.digest(salted, b"Client Key", "sha256")
        stored_key = hashlib.sha256(client_key).digest()
        final_bare = f"c=biws,r={attrs['r']}"
        auth_message = f"{first_bare},{server_first},{final_bare}".encode()
        signature = hmac.digest(stored_key, auth_message, "sha256")
        proof = bytes(a ^ b for a, b in zip(client_key, signature, strict=True))
        self._send(b"p", f"{final_bare},p={base64.b64encode(proof).decode()}".encode())
        kind, body = self._read()
        (code,) = struct.unpack("!i", body[:4])
        if kind != b"R" or code != 12:
            raise PgError("SCRAM: expected the server's final message")
        server_key = hmac.digest(salted, b"Server Key", "sha256")
        expected = base64.b64encode(hmac.digest(server_key, auth_message, "sha256")).decode()
        if body[4:].decode() != f"v={expected}":
            raise PgError("SCRAM: the server's signature is wrong")
        kind, body = self._read()
        if kind != b"R" or struct.unpack("!i", body[:4])[0] != 0:
            raise PgError("authentication did not complete")

    # --- queries ---------------------------------------------------------------------
    def query(self, sql: str) -> list[tuple[str | None, ...]]:
        self._send(b"Q", sql.encode() + b"\0")
        rows: list[tuple[str | None, ...]] = []
        while True:
            kind, body = self._read()
            if kind == b"D":
                (count,) = struct.unpack("!h", body[:2])
                offset, values = 2, []
                for _ in range(count):
                    (size,) = struct.unpack("!i", body[offset:offset + 4])
                    offset += 4
                    if size < 0:
                        values.append(None)
                    else:
                        values.append(body[offset:offset + size].decode())
                        offset += size
                rows.append(tuple(values))
            elif kind == b"Z":
                return rows

    def close(self) -> None:
        try:
            self._send(b"X", b"")
        finally:
            self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
