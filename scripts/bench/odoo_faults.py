#!/usr/bin/env python3
"""Fault test of the staging stack's Odoo: N invoices posted by parallel clients while the
simulator faults a share of Hacienda's requests, Odoo's main process is SIGKILLed, then one of its
cron workers, then the simulator and PostgreSQL are restarted — and what came out of it.

Opt-in (minutes of a loaded machine): not part of scripts/test. Against the plain-host stack (it
drives supervisord and reads /proc: run as root), after `scripts/stack up` and `scripts/stack-seed`:

    .venv/bin/python scripts/bench/odoo_faults.py -n 300                      # the fault test
    .venv/bin/python scripts/bench/odoo_faults.py -n 1000 --calm              # no fault
    .venv/bin/python scripts/bench/odoo_faults.py -n 1000 --calm --backlog    # the queue's drain rate

(STACK_SETTINGS and STACK_HOME as for the stack tests.) It reports documents per state, POSTs per
clave (the simulator's database), consecutivo and journal-number gaps and duplicates, e-mails per
accepted invoice (the SMTP sink's Maildir), the longest queue stall — time with documents due and
no document making progress — counted from when every service was up again, the starts each
process needed to come back, posting latencies and Odoo's ERROR lines by kind. It exits 1 when
something was lost or doubled, an accepted invoice was not e-mailed exactly once, a process needed
more than one start, or a stall after a service was back lasted over --max-stall seconds. Figures
for docs/BENCHMARKS.md; nothing here is a unit test.

The drain rate is the run's documents over the time from the first posting (with --backlog: from
when the queue was released) until every one was final and e-mailed. With --backlog the queue's
cron jobs are paused while the invoices are posted, then released at once, so that the rate is
the queue's alone, not the posting clients'. Each cron worker's share (runs of the queue's jobs,
documents, busy time, from Odoo's log) and the time two of them drained at once are reported.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import email
import email.policy
import itertools
import json
import os
import re
import signal
import sqlite3
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

import psycopg2
import requests
from einvoice_stack.odoo_rpc import OdooError, OdooRPC
from einvoice_stack.processes import (
    LogTail,
    alive,
    children,
    command_line,
    descendants,
    listeners,
    niceness,
    supervisor,
    wait_until,
)
from einvoice_stack.stack_env import stack_env

# ~35 % of Hacienda's requests fail, the way the simulator can make them fail (docs/simulator.md).
FAULTS = {
    "server_error": {"probability": 0.10},
    "reset_before": {"probability": 0.05},
    "reset_after": {"probability": 0.05},
    "rate_limit": {"probability": 0.05, "retry_after": 1},
    "timeout_before": {"probability": 0.03, "hold": 3},
    "timeout_after": {"probability": 0.02, "hold": 3},
    "token_outage": {"probability": 0.05},
}
CUSTOMERS = ("STG-C01", "STG-C02", "STG-C03", "STG-C04")  # seeded, with e-mail addresses
PRODUCTS = ("STG-P02", "STG-P03", "STG-P05")
FINAL = ("accepted", "rejected", "error")
SAMPLE_EVERY = 0.5  # seconds between two looks at the queue
# The queue's cron jobs: the main one and its helper (a second cron worker drains through it).
QUEUE_JOBS = {"ir_cron_l10n_cr_einvoice_queue": "main", "ir_cron_l10n_cr_einvoice_queue_helper": "helper"}
# Odoo's line at the end of a cron job's run (odoo/addons/base/models/ir_cron.py, _run_job).
JOB_DONE = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (\d+) INFO \S+ odoo\.addons\.base\.models\.ir_cron: Job .* "
    r"\((\d+)\) (?:fully done|partially done|failed) \(#loop \d+; done (\d+); remaining \d+; "
    r"duration ([\d.]+)s\)", re.MULTILINE)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--invoices", type=int, default=300)
    parser.add_argument("-c", "--clients", type=int, default=4, help="parallel posting clients")
    parser.add_argument("--calm", action="store_true", help="no fault, no kill")
    parser.add_argument("--backlog", action="store_true",
                        help="with --calm: the queue paused while posting, then released (its drain rate alone)")
    parser.add_argument("--no-email", action="store_true",
                        help="the company's e-mail after acceptance off during the run (Hacienda's part alone)")
    parser.add_argument("--events-every", type=float, default=25.0,
                        help="seconds between two injected events (from the start of posting)")
    parser.add_argument("--max-stall", type=float, default=15.0)
    parser.add_argument("--timeout", type=float, default=1800.0, help="for everything to be final")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.backlog and not args.calm:
        parser.error("--backlog needs --calm (the faults' events are timed from the first posting)")
    return args


class Stack:
    """The stack under test: its settings, Odoo over JSON-RPC, PostgreSQL, supervisord, logs."""

    def __init__(self):
        self.env = stack_env()
        self.control = supervisor(self.env.stack_home)
        if self.control is None:
            sys.exit("no supervisord socket under STACK_HOME: this needs the plain-host stack (scripts/stack up)")
        if os.geteuid() != 0:
            sys.exit("run as root: Odoo's processes and sockets are the runtime account's")
        logs = self.env.stack_home / "logs"
        self.supervisord_log = LogTail(logs / "supervisord.log")
        self.odoo_log = LogTail(logs / "odoo.log")
        self.postgresql_log = LogTail(logs / "postgresql.log")
        self.simulator_db = self.env.stack_home / "simulator" / "hacienda-simulator.sqlite3"

    def session(self) -> OdooRPC:
        session = OdooRPC(self.env.odoo_url, self.env.database, timeout=300)
        session.authenticate(self.env.admin_login, self.env.admin_password)
        return session

    def db(self):
        settings = self.env.settings
        return psycopg2.connect(
            host=settings["hosts"]["database"], port=self.env.port("postgresql"), dbname=self.env.database,
            user=settings["stack"]["db_user"], password=self.env.db_password, connect_timeout=3)

    def query(self, sql: str, params=()):
        with self.db() as connection, connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        connection.close()
        return rows

    def odoo_healthy(self) -> bool:
        try:
            response = requests.get(self.env.odoo_url + "/web/health", timeout=3)
        except requests.RequestException:
            return False
        return response.status_code == 200 and '"pass"' in response.text

    def simulator_healthy(self) -> bool:
        try:
            return requests.get(self.env.simulator_url + "/health", timeout=3).status_code == 200
        except requests.RequestException:
            return False

    def database_healthy(self) -> bool:
        try:
            self.query("SELECT 1")
        except psycopg2.Error:
            return False
        return True

    def simulator_faults(self, faults: dict):
        requests.put(self.env.simulator_url + "/_simulator/faults",
                     json={"faults": faults, "replace": True, "clear_next": True},
                     headers=self.env.simulator_control_headers, timeout=10).raise_for_status()

    def odoo_main(self) -> int:
        return self.control.getProcessInfo("odoo")["pid"]

    def queue_jobs(self, session: OdooRPC) -> dict[int, str]:
        """{ir.cron id: "main" | "helper"} of the queue's cron jobs."""
        return {session.ref(f"l10n_cr_einvoice.{name}"): role for name, role in QUEUE_JOBS.items()}

    def set_queue_active(self, session: OdooRPC, jobs: dict[int, str], active: bool):
        """Pause the queue's cron jobs, or release them due now (a cron worker takes the main job at
        its next look for due jobs; the main job wakes the helper). A job running cannot be
        written: tried again for a while."""
        values = {"active": active}
        if active:
            values["nextcall"] = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
        deadline = time.monotonic() + 300
        while True:
            try:
                session.call("ir.cron", "write", list(jobs), values)
                return
            except OdooError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)

    def cron_workers(self) -> list[int]:
        # Odoo's prefork cron workers are the children that lowered their priority (os.nice(10)).
        main = self.odoo_main()
        return sorted(p for p in children(main) if niceness(p) == 10 and "gevent" not in command_line(p))


# ---------------------------------------------------------------- watching the queue
class Sampler(threading.Thread):
    """Every half second: the run's documents per state, how many are due, and a progress
    counter (attempts, status queries, answers, PDFs made, e-mails) that moves whenever the queue
    gets something done. (Odoo leaves an integer column it never wrote NULL — `email_failures`
    until an e-mail fails —, which would make a row's sum NULL: each term is coalesced.)"""

    SQL = """
        SELECT state, count(*),
               count(*) FILTER (WHERE (state IN ('to_send', 'sent')
                                       AND (next_try IS NULL OR next_try <= now() at time zone 'UTC'))
                                   OR (state = 'accepted' AND email_next_try <= now() at time zone 'UTC')),
               coalesce(sum(coalesce(attempt_count, 0) + coalesce(poll_count, 0) + coalesce(email_failures, 0)), 0)
                 + count(*) FILTER (WHERE email_sent)
                 + count(*) FILTER (WHERE EXISTS (SELECT 1 FROM ir_attachment a WHERE a.res_model = 'account.move'
                                                   AND a.res_id = move_id AND a.res_field = 'invoice_pdf_report_file'))
          FROM l10n_cr_einvoice_document WHERE id >= %s GROUP BY state"""

    def __init__(self, stack: Stack, first_id: int):
        super().__init__(daemon=True)
        self.stack, self.first_id = stack, first_id
        self.samples: list[tuple[float, dict, int, int] | tuple[float, None, None, None]] = []
        self.stopped = threading.Event()

    def run(self):
        connection = None
        while not self.stopped.is_set():
            now = time.monotonic()
            try:
                if connection is None or connection.closed:
                    connection = self.stack.db()
                    connection.autocommit = True
                with connection.cursor() as cursor:
                    cursor.execute(self.SQL, [self.first_id])
                    rows = cursor.fetchall()
                states = {state: count for state, count, _due, _progress in rows}
                progress = sum(p for *_rest, p in rows) + states.get("accepted", 0) + states.get("rejected", 0)
                self.samples.append((now, states, sum(due for _s, _c, due, _p in rows), progress))
            except psycopg2.Error:
                connection = None
                self.samples.append((now, None, None, None))
            self.stopped.wait(SAMPLE_EVERY)

    def longest_gap(self) -> float:
        times = [at for at, states, _due, _value in self.samples if states is not None]
        return max((b - a for a, b in itertools.pairwise(times)), default=0.0)

    def last(self):
        return next((s for s in reversed(self.samples) if s[1] is not None), None)

    def stalls(self):
        """[(start, end)]: periods with documents due and a progress counter that does not move.
        A gap in the samples (the database away, this process starved) ends a period: what
        happened in it is not known."""
        periods, start, progress, previous = [], None, None, None
        for at, states, due, value in self.samples:
            if states is None:
                continue
            if previous is not None and at - previous > 2 * SAMPLE_EVERY + 1:
                if start is not None:
                    periods.append((start, previous))
                start, progress = None, value
            previous = at
            if value != progress:
                if start is not None:
                    periods.append((start, at))
                start = None
                progress = value
            elif due and start is None:
                start = at
            elif not due and start is not None:
                periods.append((start, at))
                start = None
        if start is not None:
            periods.append((start, self.samples[-1][0]))
        return periods


# ---------------------------------------------------------------- posting
class Poster(threading.Thread):
    """One client posting its share of invoices; every call survives the faults of the run
    (it looks the invoice up by its reference before doing anything again)."""

    def __init__(self, stack: Stack, refs: list[str], customers: dict, products: dict):
        super().__init__(daemon=True)
        self.stack, self.refs, self.customers, self.products = stack, refs, customers, products
        self.latencies: list[float] = []
        self.errors: collections.Counter = collections.Counter()
        self.failed: list[str] = []
        self.session = None

    def call(self, *args, **kwargs):
        if self.session is None:
            self.session = self.stack.session()
        return self.session.call(*args, **kwargs)

    def run(self):
        for number, ref in enumerate(self.refs):
            customer = self.customers[CUSTOMERS[number % len(CUSTOMERS)]]
            product = self.products[PRODUCTS[number % len(PRODUCTS)]]
            deadline = time.monotonic() + 600
            while True:
                try:
                    found = self.call("account.move", "search_read", [("ref", "=", ref), ("move_type", "=", "out_invoice")],
                                      ["state"])
                    if not found:
                        move_id = self.call("account.move", "create", [{
                            "move_type": "out_invoice", "partner_id": customer, "ref": ref,
                            "invoice_line_ids": [(0, 0, {"product_id": product, "quantity": 1 + number % 3})],
                        }])[0]
                        state = "draft"
                    else:
                        move_id, state = found[0]["id"], found[0]["state"]
                    if state == "draft":
                        started = time.monotonic()
                        self.call("account.move", "action_post", [move_id])
                        self.latencies.append(time.monotonic() - started)
                    break
                except (OdooError, ValueError) as exc:
                    # Odoo's exception class, or "no answer" when Odoo gave none (it was down)
                    kind = type(exc).__name__ if isinstance(exc, ValueError) else exc.name or "no answer"
                    self.errors[kind] += 1
                    if "Session" in kind:
                        self.session = None
                    if time.monotonic() > deadline:
                        self.failed.append(ref)
                        break
                    time.sleep(1)


# ---------------------------------------------------------------- the injected events
class Events:
    """Each event: what was done, when the service was back, how many starts it needed."""

    def __init__(self, stack: Stack):
        self.stack = stack
        self.done: list[dict] = []

    def _record(self, name, started, back, **details):
        self.done.append({"event": name, "at": started, "back": back, "down": round(back - started, 2), **details})
        print(f"  {name}: back after {back - started:.1f} s {details}", flush=True)

    def kill_odoo_main(self):
        stack, started = self.stack, time.monotonic()
        supervisord_log = LogTail(stack.supervisord_log.path)
        main = stack.odoo_main()
        workers = descendants(main)
        os.kill(main, signal.SIGKILL)
        orphans_gone = wait_until(lambda: not any(alive(w) for w in workers), timeout=15)
        wait_until(stack.odoo_healthy, timeout=300, interval=0.5)
        back = time.monotonic()
        log = supervisord_log.read()
        new_main = stack.odoo_main()
        holders = listeners(stack.env.port("odoo")) | listeners(stack.env.port("odoo_gevent"))
        strangers = sorted(p for p in holders if p != new_main and p not in descendants(new_main))
        self._record("Odoo main process SIGKILLed", started, back, starts=log.count("spawned: 'odoo'"),
                     workers=len(workers), orphans=[w for w in workers if alive(w)] if not orphans_gone else [],
                     port_holders_not_odoo=strangers)

    def kill_cron_worker(self):
        stack, started = self.stack, time.monotonic()
        odoo_log = LogTail(stack.odoo_log.path)
        before = stack.cron_workers()
        if not before:
            self._record("cron worker SIGKILLed", started, started, starts=0, note="no cron worker found")
            return
        os.kill(before[0], signal.SIGKILL)
        replaced = wait_until(lambda: len(set(stack.cron_workers()) - set(before)) >= 1, timeout=120)
        time.sleep(3)  # a worker that dies at once would be replaced again within this
        back = time.monotonic() if replaced else None
        starts = len(re.findall(r"Worker WorkerCron \(\d+\) alive", odoo_log.read()))
        self._record("cron worker SIGKILLed", started, back or time.monotonic(), starts=starts)

    def restart_program(self, program: str, healthy):
        stack, started = self.stack, time.monotonic()
        supervisord_log = LogTail(stack.supervisord_log.path)
        crons = set(stack.cron_workers())
        stack.control.stopProcess(program, True)
        stack.control.startProcess(program, False)
        wait_until(healthy, timeout=300, interval=0.2)
        back = time.monotonic()
        details = {}
        if program == "postgresql":
            # An idle cron worker dies with its connection (a busy one when its job ends); the
            # main process starts new ones.
            running = wait_until(lambda: len(stack.cron_workers()) >= len(crons), timeout=120, interval=0.2)
            details["cron_workers_running_after_s"] = round(time.monotonic() - back, 1) if running else None
            details["cron_workers_replaced"] = len(crons - set(stack.cron_workers()))
        time.sleep(2)
        self._record(f"{program} restarted", started, back,
                     starts=supervisord_log.read().count(f"spawned: '{program}'"), **details)


# ---------------------------------------------------------------- what came out
def maildir_subjects(maildir: Path, skip: set[str]) -> list[str]:
    subjects = []
    for folder in ("new", "cur"):
        for path in sorted((maildir / folder).glob("*")) if (maildir / folder).is_dir() else []:
            if path.name in skip:
                continue
            with path.open("rb") as handle:
                message = email.message_from_binary_file(handle, policy=email.policy.default)
            subjects.append(str(message["Subject"] or ""))
    return subjects


def maildir_names(maildir: Path) -> set[str]:
    return {p.name for folder in ("new", "cur") if (maildir / folder).is_dir() for p in (maildir / folder).iterdir()}


def number_gaps(numbers: list[int]) -> tuple[list[int], list[int]]:
    counts = collections.Counter(numbers)
    duplicates = sorted(n for n, c in counts.items() if c > 1)
    gaps = sorted(set(range(min(numbers), max(numbers) + 1)) - set(numbers)) if numbers else []
    return gaps, duplicates


def queue_job_runs(log_text: str, jobs: dict[int, str]) -> dict:
    """What each cron worker did of the queue (its jobs' runs that ended in ``log_text``): runs,
    documents processed (the progress the queue reports), busy seconds; and the seconds during
    which two or more of the queue's jobs ran at once (the backlog drained in parallel)."""
    runs, workers = [], {}
    for stamp, pid, job_id, done, duration in JOB_DONE.findall(log_text):
        if int(job_id) not in jobs:
            continue
        end = datetime.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f").timestamp()
        runs.append((end - float(duration), end))
        worker = workers.setdefault(pid, {"runs": collections.Counter(), "documents": 0, "busy_s": 0.0})
        worker["runs"][jobs[int(job_id)]] += 1
        worker["documents"] += int(done)
        worker["busy_s"] += float(duration)
    parallel, running, previous = 0.0, 0, None
    for at, step in sorted([(start, 1) for start, _end in runs] + [(end, -1) for _start, end in runs]):
        if running >= 2:
            parallel += at - previous
        running, previous = running + step, at
    return {"cron_workers": {pid: {**w, "runs": dict(w["runs"]), "busy_s": round(w["busy_s"], 1)}
                             for pid, w in sorted(workers.items())},
            "two_or_more_at_once_s": round(parallel, 1)}


def report(stack: Stack, args, run: str, first_id: int, sampler: Sampler, posters: list[Poster],
           events: Events, t0: float, mail_skip: set[str], log_text: str, supervisord_text: str,
           postgresql_text: str, finished_at: float | None, drain_start: float, jobs: dict[int, str]) -> dict:
    figures: dict = {"run": run, "invoices": args.invoices, "clients": args.clients, "faults": not args.calm,
                     "email": not args.no_email, "backlog": args.backlog}
    moves = stack.query(
        """SELECT m.id, m.name, m.state, d.id, d.state, d.clave, d.consecutivo, d.email_sent, d.email_failures
             FROM account_move m LEFT JOIN l10n_cr_einvoice_document d ON d.move_id = m.id
            WHERE m.ref LIKE %s ORDER BY m.id, d.id""", [f"{run}-%"])
    by_move = collections.defaultdict(list)
    for row in moves:
        by_move[row[0]].append(row)
    posted = {m: rows for m, rows in by_move.items() if rows[0][2] == "posted"}
    documents = [r for rows in posted.values() for r in rows if r[3]]
    states = collections.Counter(r[4] for r in documents)
    figures["documents_per_state"] = dict(states)
    figures["invoices_posted"] = len(posted)
    figures["invoices_lost"] = args.invoices - len(posted) + sum(1 for rows in posted.values() if not rows[0][3])
    figures["documents_not_final"] = sum(1 for r in documents if r[4] not in FINAL)
    figures["documents_per_invoice_max"] = max((len(rows) for rows in posted.values()), default=0)

    # POSTs per clave, from the simulator's own database
    claves = [r[5] for r in documents]
    with sqlite3.connect(f"file:{stack.simulator_db}?mode=ro", uri=True) as simulator:
        stored = dict(simulator.execute(
            f"SELECT clave, 1 + duplicate_posts FROM documents WHERE clave IN ({','.join('?' * len(claves))})",
            claves).fetchall()) if claves else {}
    posts = collections.Counter(stored.get(c, 0) for c in claves)
    figures["posts_per_clave"] = {str(k): v for k, v in sorted(posts.items())}
    figures["claves_posted_twice"] = sum(v for k, v in posts.items() if k > 1)
    figures["claves_not_at_hacienda"] = posts.get(0, 0)

    # numbering: every document of the numberings the run used, and the journal's names
    numberings = stack.query(
        """SELECT substring(consecutivo, 1, 10), array_agg(number ORDER BY number)
             FROM l10n_cr_einvoice_document
            WHERE company_id IN (SELECT company_id FROM l10n_cr_einvoice_document WHERE id >= %s)
              AND consecutivo IS NOT NULL GROUP BY 1""", [first_id])
    consecutivo = {}
    for prefix, numbers in numberings:
        gaps, duplicates = number_gaps(numbers)
        consecutivo[prefix] = {"documents": len(numbers), "gaps": gaps[:20], "duplicates": duplicates[:20]}
    figures["consecutivo"] = consecutivo
    names = stack.query(
        """SELECT m.sequence_prefix, array_agg(m.sequence_number ORDER BY m.sequence_number)
             FROM account_move m WHERE m.journal_id IN (SELECT journal_id FROM account_move WHERE ref LIKE %s)
              AND m.state = 'posted' GROUP BY 1""", [f"{run}-%"])
    figures["journal_numbers"] = {
        prefix: dict(zip(("gaps", "duplicates"), (v[:20] for v in number_gaps(numbers)), strict=True))
        | {"moves": len(numbers)} for prefix, numbers in names}

    # e-mails per accepted invoice, as the SMTP sink caught them
    subjects = maildir_subjects(stack.env.maildir, mail_skip)
    accepted = {r[0]: (r[6], r[7]) for r in documents if r[4] == "accepted"}
    mails = collections.Counter()
    for _move, (consecutivo_number, _sent) in accepted.items():
        mails[sum(1 for s in subjects if consecutivo_number and consecutivo_number in s)] += 1
    figures["emails_per_accepted_invoice"] = {str(k): v for k, v in sorted(mails.items())}
    figures["email_failed_attempts"] = sum(r[8] or 0 for r in documents)

    # the queue: stalls, counted from when every service was up again
    down = [(e["at"], e["back"]) for e in events.done]
    if drain_start > t0:
        down.append((t0, drain_start))  # the queue paused (--backlog): waiting is the point
    longest, longest_at = 0.0, None
    for start, end in sampler.stalls():
        effective = max([start, *(back for at, back in down if at <= end and back <= end and back > start)])
        if any(at <= effective < back for at, back in down):
            continue
        if end - effective > longest:
            longest, longest_at = end - effective, round(effective - t0, 1)
    figures["longest_stall_after_services_back_s"] = round(longest, 1)
    figures["longest_stall_at_s"] = longest_at
    figures["longest_stall_overall_s"] = round(max((e - s for s, e in sampler.stalls()), default=0.0), 1)
    figures["longest_gap_between_queue_samples_s"] = round(sampler.longest_gap(), 1)
    figures["events"] = [{k: (round(v - t0, 1) if k in ("at", "back") else v) for k, v in e.items()}
                         for e in events.done]

    latencies = sorted(x for p in posters for x in p.latencies)
    if latencies:
        figures["posting_s"] = {"p50": round(statistics.median(latencies), 3),
                                "p99": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 3),
                                "max": round(latencies[-1], 3)}
    figures["posting_call_errors"] = dict(sum((p.errors for p in posters), collections.Counter()))
    figures["posting_given_up"] = sum(len(p.failed) for p in posters)
    if finished_at:
        figures["all_final_after_s"] = round(finished_at - t0, 1)
        figures["drain"] = {"from": "queue released" if drain_start > t0 else "first posting",
                            "documents": len(documents), "seconds": round(finished_at - drain_start, 1)}
        figures["drain_rate_per_s"] = round(len(documents) / (finished_at - drain_start), 2)
    figures["queue_jobs"] = queue_job_runs(log_text, jobs)

    # An ERROR record with the lines that follow it (psycopg2's message, a traceback).
    records = re.split(r"\n(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ )", log_text)
    error_lines = [r for r in records if " ERROR " in r.split("\n", 1)[0] or " CRITICAL " in r.split("\n", 1)[0]]
    kinds = collections.Counter()
    for line in error_lines:
        for kind, pattern in (("ir_sequence FOR UPDATE NOWAIT", "NOWAIT"), ("account_move_unique_name", "unique_name"),
                              ("could not serialize", "could not serialize"),
                              ("InFailedSqlTransaction", "InFailedSqlTransaction"),
                              ("database connection lost (PostgreSQL restart)", "server closed the connection"),
                              ("database connection lost (PostgreSQL restart)", "terminating connection"),
                              ("database unreachable (PostgreSQL restart)", "Connection refused")):
            if pattern in line:
                kinds[kind] += 1
                break
        else:
            kinds[line.split("\n", 1)[0].split(" ERROR ", 1)[-1][:100]] += 1
    figures["odoo_error_lines"] = dict(kinds)
    figures["odoo_retries_logged"] = len(re.findall(r"tries left, try again", log_text))
    # Unique-index waits that ended on a number another transaction took (handled in a savepoint,
    # logged by PostgreSQL only): Odoo's journal entries, and the consecutivos.
    figures["postgresql_duplicate_key_errors"] = dict(collections.Counter(
        re.findall(r'duplicate key value violates unique constraint "([^"]+)"', postgresql_text)))
    figures["supervisord_unexpected_exits"] = re.findall(r"exited: (\S+) \(exit status \d+; not expected\)",
                                                         supervisord_text)
    figures["supervisord_fatal"] = re.findall(r"gave up: (\S+)", supervisord_text)
    return figures


def verdict(figures: dict, args) -> list[str]:
    problems = []
    if figures["invoices_lost"] or figures["documents_not_final"]:
        problems.append(f"lost or unfinished: {figures['invoices_lost']} invoices, "
                        f"{figures['documents_not_final']} documents not final")
    if figures["claves_posted_twice"] or figures["documents_per_invoice_max"] > 1:
        problems.append("doubled: a clave POSTed twice or an invoice with two documents")
    if figures["documents_per_state"].get("error") or figures["documents_per_state"].get("rejected"):
        problems.append(f"documents in error or rejected: {figures['documents_per_state']}")
    for prefix, found in {**figures["consecutivo"], **figures["journal_numbers"]}.items():
        if found["gaps"] or found["duplicates"]:
            problems.append(f"numbering {prefix}: gaps {found['gaps']} duplicates {found['duplicates']}")
    if figures["email"] and set(figures["emails_per_accepted_invoice"]) - {"1"}:
        problems.append(f"e-mails per accepted invoice: {figures['emails_per_accepted_invoice']}")
    for event in figures["events"]:
        if event.get("starts", 1) != 1 or event.get("orphans") or event.get("port_holders_not_odoo"):
            problems.append(f"{event['event']}: {event}")
    if figures["supervisord_fatal"]:
        problems.append(f"supervisord gave up on {figures['supervisord_fatal']}")
    if figures["longest_stall_after_services_back_s"] > args.max_stall:
        problems.append(f"queue stalled {figures['longest_stall_after_services_back_s']} s after a service was back")
    return problems


def main(argv=None) -> int:
    args = parse_args(argv)
    stack = Stack()
    for ok, what in ((stack.odoo_healthy, "Odoo"), (stack.simulator_healthy, "the simulator")):
        if not wait_until(ok, timeout=120, interval=1):
            sys.exit(f"{what} does not answer: is the stack up (scripts/stack up)?")
    admin = stack.session()
    customers = {p["ref"]: p["id"] for p in admin.search_read("res.partner", [("ref", "in", CUSTOMERS)], ["ref"])}
    products = {p["default_code"]: p["id"] for p in admin.search_read(
        "product.product", [("default_code", "in", PRODUCTS)], ["default_code"])}
    if len(customers) < len(CUSTOMERS) or len(products) < len(PRODUCTS):
        sys.exit("the seed's customers and products are missing: run scripts/stack-seed first")

    # Documents left pending by an earlier (interrupted) run would take the queue's time while
    # this run's documents count as stalled: start from an idle queue, without faults.
    stack.simulator_faults({})
    pending_sql = """SELECT count(*) FROM l10n_cr_einvoice_document
                      WHERE state IN ('to_send', 'sent') OR email_next_try IS NOT NULL"""
    [(pending,)] = stack.query(pending_sql)
    if pending:
        print(f"waiting for the {pending} document(s) pending from before to be final", flush=True)
        if not wait_until(lambda: not stack.query(pending_sql)[0][0], timeout=args.timeout, interval=5):
            sys.exit(f"documents pending from before are not final after {args.timeout:g} s: see the queue")

    run = "FAULT-" + uuid.uuid4().hex[:8]
    company = admin.search_read("res.company", [("l10n_cr_enabled", "=", True)],
                                ["l10n_cr_auto_email"], limit=1)[0]
    if args.no_email:
        admin.call("res.company", "write", [company["id"]], {"l10n_cr_auto_email": False})
    [(first_id,)] = stack.query("SELECT coalesce(max(id), 0) + 1 FROM l10n_cr_einvoice_document")
    jobs = stack.queue_jobs(admin)
    mail_skip = maildir_names(stack.env.maildir)
    odoo_log, supervisord_log = LogTail(stack.odoo_log.path), LogTail(stack.supervisord_log.path)
    postgresql_log = LogTail(stack.postgresql_log.path)
    stack.simulator_faults({} if args.calm else FAULTS)
    print(f"{run}: {args.invoices} invoices by {args.clients} clients, "
          f"{'no faults' if args.calm else 'simulator faults ' + json.dumps(FAULTS)}", flush=True)

    if args.backlog:
        stack.set_queue_active(admin, jobs, False)
        print("  the queue's cron jobs paused while posting", flush=True)
    try:
        return run_and_report(args, stack, run, company, first_id, jobs, mail_skip, odoo_log, supervisord_log,
                              postgresql_log, customers, products)
    except BaseException:
        if args.backlog:  # interrupted while paused: the stack's queue must not stay off
            stack.set_queue_active(stack.session(), jobs, True)
        raise


def run_and_report(args, stack: Stack, run: str, company: dict, first_id: int, jobs: dict[int, str],
                   mail_skip: set[str], odoo_log: LogTail, supervisord_log: LogTail, postgresql_log: LogTail,
                   customers: dict, products: dict) -> int:
    sampler = Sampler(stack, first_id)
    sampler.start()
    refs = [f"{run}-{i:05d}" for i in range(args.invoices)]
    posters = [Poster(stack, refs[i::args.clients], customers, products) for i in range(args.clients)]
    t0 = time.monotonic()
    for poster in posters:
        poster.start()
    events = Events(stack)
    if not args.calm:
        schedule = [events.kill_odoo_main, events.kill_cron_worker,
                    lambda: events.restart_program("simulator", stack.simulator_healthy),
                    lambda: events.restart_program("postgresql", stack.database_healthy)]
        for number, event in enumerate(schedule, start=1):
            time.sleep(max(0.0, t0 + number * args.events_every - time.monotonic()))
            event()
            if event is schedule[2]:
                stack.simulator_faults(FAULTS)  # a restarted simulator starts without them
    for poster in posters:
        poster.join()
    posted_at = time.monotonic()
    print(f"  posted in {posted_at - t0:.1f} s", flush=True)
    drain_start = t0
    if args.backlog:
        stack.set_queue_active(stack.session(), jobs, True)
        drain_start = time.monotonic()
        print("  the queue released", flush=True)

    def everything_final():
        last = sampler.last()
        if not last or last[0] < time.monotonic() - 5:
            return False
        states, due = last[1], last[2]
        pending = stack.query("""SELECT count(*) FROM l10n_cr_einvoice_document
                                  WHERE id >= %s AND (state IN ('to_send', 'sent') OR email_next_try IS NOT NULL)""",
                              [first_id])[0][0]
        return sum(states.values()) >= args.invoices and not pending and not due
    finished = wait_until(everything_final, timeout=args.timeout, interval=0.5)
    finished_at = time.monotonic() if finished else None
    time.sleep(5)  # the last e-mails leave the Odoo worker for the sink
    sampler.stopped.set()
    sampler.join()
    stack.simulator_faults({})
    if args.no_email:
        stack.session().call("res.company", "write", [company["id"]],
                             {"l10n_cr_auto_email": company["l10n_cr_auto_email"]})

    figures = report(stack, args, run, first_id, sampler, posters, events, t0, mail_skip, odoo_log.read(),
                     supervisord_log.read(), postgresql_log.read(), finished_at, drain_start, jobs)
    figures["posting_duration_s"] = round(posted_at - t0, 1)
    problems = verdict(figures, args)
    figures["problems"] = problems
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print("OK: nothing lost or doubled, every e-mail once, every process back at its first start, "
          f"no stall over {args.max_stall:g} s after a service was back" if not problems else
          "PROBLEMS:\n  " + "\n  ".join(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
