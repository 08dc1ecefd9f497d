"""The simulator's memory: every received document with its decision, in SQLite.

The decision and the signed MensajeHacienda are stored when the document is received,
with the times at which it turns ``procesando`` and final; a status query compares those
with the clock. Nothing depends on a background thread, so a restart loses nothing and
answers exactly as before.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    resource TEXT PRIMARY KEY,           -- clave, or clave-consecutivoReceptor
    clave TEXT NOT NULL,
    consecutivo_receptor TEXT,
    doc_type TEXT NOT NULL,
    emisor_tipo TEXT NOT NULL,
    emisor_numero TEXT NOT NULL,
    receptor_tipo TEXT,
    receptor_numero TEXT,
    fecha TEXT NOT NULL,
    username TEXT NOT NULL,
    received_at REAL NOT NULL,
    processing_at REAL NOT NULL,
    ready_at REAL NOT NULL,
    visible_at REAL NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('aceptado', 'rechazado')),
    detalle TEXT NOT NULL,
    respuesta_xml BLOB NOT NULL,
    comprobante_xml BLOB NOT NULL,
    callback_url TEXT,
    callback_state TEXT,                 -- pending | delivered | failed
    callback_attempts INTEGER NOT NULL DEFAULT 0,
    callback_next_at REAL,
    duplicate_posts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS documents_emisor ON documents (emisor_numero, received_at);
CREATE INDEX IF NOT EXISTS documents_receptor ON documents (receptor_numero, received_at);
CREATE INDEX IF NOT EXISTS documents_callbacks ON documents (callback_state, callback_next_at);
"""

COLUMNS = (
    "resource",
    "clave",
    "consecutivo_receptor",
    "doc_type",
    "emisor_tipo",
    "emisor_numero",
    "receptor_tipo",
    "receptor_numero",
    "fecha",
    "username",
    "received_at",
    "processing_at",
    "ready_at",
    "visible_at",
    "decision",
    "detalle",
    "respuesta_xml",
    "comprobante_xml",
    "callback_url",
    "callback_state",
)
# Built from the constant column list above, never from input.
_SELECT = ", ".join((*COLUMNS, "callback_attempts", "duplicate_posts"))
_INSERT = f"INSERT INTO documents ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))}) ON CONFLICT (resource) DO NOTHING"  # noqa: S608
_GET = f"SELECT {_SELECT} FROM documents WHERE resource = ?"  # noqa: S608
_DUE = (
    f"SELECT {_SELECT} FROM documents WHERE callback_state = 'pending' "  # noqa: S608
    "AND ready_at <= ? AND coalesce(callback_next_at, 0) <= ? ORDER BY ready_at LIMIT ?"
)


@dataclass
class Record:
    resource: str
    clave: str
    consecutivo_receptor: str | None
    doc_type: str
    emisor_tipo: str
    emisor_numero: str
    receptor_tipo: str | None
    receptor_numero: str | None
    fecha: str
    username: str
    received_at: float
    processing_at: float
    ready_at: float
    visible_at: float
    decision: str
    detalle: str
    respuesta_xml: bytes
    comprobante_xml: bytes
    callback_url: str | None = None
    callback_state: str | None = None
    callback_attempts: int = 0
    duplicate_posts: int = 0

    def state(self, now: float | None = None) -> str:
        now = time.time() if now is None else now
        if now >= self.ready_at:
            return self.decision
        return "procesando" if now >= self.processing_at else "recibido"


class Store:
    """One SQLite connection guarded by a lock (writes are tiny; judging happens outside)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- meta -------------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- documents --------------------------------------------------------------------

    def exists(self, resource: str) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1 FROM documents WHERE resource = ?", (resource,)).fetchone() is not None

    def insert(self, record: Record) -> bool:
        """Store a new document; False when the resource was already there (a duplicate)."""
        values = [getattr(record, c) for c in COLUMNS]
        with self._lock:
            cur = self._db.execute(_INSERT, values)
            return cur.rowcount == 1

    def note_duplicate(self, resource: str) -> None:
        with self._lock:
            self._db.execute("UPDATE documents SET duplicate_posts = duplicate_posts + 1 WHERE resource = ?", (resource,))

    def get(self, resource: str) -> Record | None:
        with self._lock:
            cur = self._db.execute(_GET, (resource,))
            row = cur.fetchone()
        return self._record(row) if row else None

    @staticmethod
    def _record(row) -> Record:
        return Record(*row)

    def list_for(
        self,
        taxpayers: list[str],
        *,
        offset: int = 0,
        limit: int = 50,
        emisor: str | None = None,
        receptor: str | None = None,
    ) -> tuple[int, list[Record]]:
        """Documents where one of ``taxpayers`` is emitter or receiver, newest first."""
        marks = ", ".join("?" * len(taxpayers))
        where = [f"(emisor_numero IN ({marks}) OR receptor_numero IN ({marks}))"]
        args: list = [*taxpayers, *taxpayers]
        if emisor:
            where.append("emisor_numero = ?")
            args.append(emisor)
        if receptor:
            where.append("receptor_numero = ?")
            args.append(receptor)
        clause = " AND ".join(where)
        with self._lock:
            total = self._db.execute(f"SELECT count(*) FROM documents WHERE {clause}", args).fetchone()[0]  # noqa: S608 - placeholders only
            rows = self._db.execute(
                f"SELECT {_SELECT} FROM documents WHERE {clause} "  # noqa: S608 - placeholders only
                "ORDER BY received_at DESC, resource LIMIT ? OFFSET ?",
                [*args, limit, offset],
            ).fetchall()
        return total, [self._record(r) for r in rows]

    def state_counts(self, now: float | None = None) -> dict[str, int]:
        now = time.time() if now is None else now
        with self._lock:
            rows = self._db.execute(
                "SELECT CASE WHEN ready_at <= ? THEN decision "
                "WHEN processing_at <= ? THEN 'procesando' ELSE 'recibido' END AS state, count(*) "
                "FROM documents GROUP BY state",
                (now, now),
            ).fetchall()
        counts = {"recibido": 0, "procesando": 0, "aceptado": 0, "rechazado": 0}
        counts.update(dict(rows))
        return counts

    def totals(self) -> dict[str, int]:
        with self._lock:
            docs, dupes = self._db.execute("SELECT count(*), coalesce(sum(duplicate_posts), 0) FROM documents").fetchone()
        return {"documents": docs, "duplicate_posts": dupes}

    # -- callbacks --------------------------------------------------------------------

    def due_callbacks(self, now: float, limit: int = 20) -> list[Record]:
        with self._lock:
            rows = self._db.execute(_DUE, (now, now, limit)).fetchall()
        return [self._record(r) for r in rows]

    def callback_result(self, resource: str, *, delivered: bool, give_up: bool, next_at: float | None) -> None:
        state = "delivered" if delivered else ("failed" if give_up else "pending")
        with self._lock:
            self._db.execute(
                "UPDATE documents SET callback_state = ?, callback_attempts = callback_attempts + 1, "
                "callback_next_at = ? WHERE resource = ?",
                (state, next_at, resource),
            )

    def next_callback_at(self) -> float | None:
        with self._lock:
            row = self._db.execute(
                "SELECT min(max(ready_at, coalesce(callback_next_at, 0))) FROM documents WHERE callback_state = 'pending'"
            ).fetchone()
        return row[0] if row else None
