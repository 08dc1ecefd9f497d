"""scripts/bench/odoo_faults.py's measures, on a throw-away PostgreSQL cluster: what its queue
sampler counts as progress (a stall is time with documents due and no progress)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import psycopg2
import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "stack_package"))

from pg_cluster import Cluster  # noqa: E402 (the stack package tests' throw-away cluster)

# The columns the sampler reads, as Odoo creates them: an integer field never written is NULL.
TABLES = """
CREATE TABLE l10n_cr_einvoice_document (
    id serial PRIMARY KEY, move_id integer, state varchar, next_try timestamp, email_next_try timestamp,
    attempt_count integer, poll_count integer, email_failures integer, email_sent boolean);
CREATE TABLE ir_attachment (id serial PRIMARY KEY, res_model varchar, res_id integer, res_field varchar);
"""


def odoo_faults():
    spec = importlib.util.spec_from_file_location("odoo_faults", REPO / "scripts" / "bench" / "odoo_faults.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def database():
    cluster = Cluster()
    try:
        cluster.start()
        connection = psycopg2.connect(host=str(cluster.socket_dir), port=cluster.port, user="postgres",
                                      dbname="postgres")
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(TABLES)
        yield connection
        connection.close()
    finally:
        cluster.remove()


def progress(connection, sampler_sql) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sampler_sql, [1])
        return sum(row[3] for row in cursor.fetchall())


def test_submissions_and_status_queries_are_progress(database):
    """Before any e-mail failed, email_failures is NULL: the submissions and status queries of such
    documents were not counted, so the fault test saw a stall while the queue was sending."""
    sql = odoo_faults().Sampler.SQL
    with database.cursor() as cursor:
        cursor.execute("""INSERT INTO l10n_cr_einvoice_document (move_id, state, attempt_count, poll_count)
                          VALUES (1, 'to_send', 0, 0)""")
    before = progress(database, sql)
    with database.cursor() as cursor:
        cursor.execute("UPDATE l10n_cr_einvoice_document SET state = 'sent', attempt_count = 1")
    submitted = progress(database, sql)
    assert submitted > before, "a submission is progress"
    with database.cursor() as cursor:
        cursor.execute("UPDATE l10n_cr_einvoice_document SET poll_count = 1")
    assert progress(database, sql) > submitted, "a status query is progress"
