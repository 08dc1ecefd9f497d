"""Grow a staging database to N electronic documents of history, by SQL.

Each new document is a copy of one of the seeded, really accepted invoices (scripts/stack-seed):
its account.move with every line and the lines' taxes, its l10n_cr.einvoice.document and the
tax breakdown Hacienda's acceptance wrote -- every column copied from the template row, so what
the ORM fills (and columns other modules add) stays consistent -- with what makes it another
document rewritten: ids, move name and sequence number, consecutivo and clave, dates spread
over the last 24 months, quantities and amounts multiplied by a factor (credit notes with the
signs of a refund), and a state as history has them:

* ~97.5 % accepted; ~2 % rejected, of which most were corrected by a second document on the
  same invoice (``replaced_document_id``), some had their invoice cancelled, and those of the
  last month are partly still open; ~0.5 % of the last month in error (a data problem);
* documents of the last half hour still to send or sent (with a retry planned a week later,
  so the staging queue leaves them alone);
* 57 % invoices (01), 35 % tickets (04), 5 % credit notes (03), 3 % export invoices (09).

Alerts are marked as sent for the problems, so the staging crons do not e-mail hundreds of
them. Generation is deterministic for a given database and size (``setseed``), in chunks of
one transaction each; only ``INSERT ... SELECT`` over ``generate_series``: no row goes through
Python.
"""

from __future__ import annotations

from dataclasses import dataclass

SPAN_DAYS = 730
CHUNK = 100_000
TERMINAL = 90  # the generated documents' terminal: their consecutivos never meet the seeded ones'
# Tables the generator writes (VACUUM ANALYZE afterwards, as autovacuum would have done).
TABLES = ("account_move", "account_move_line", "account_move_line_account_tax_rel",
          "l10n_cr_einvoice_document", "l10n_cr_einvoice_tax_breakdown")


@dataclass(frozen=True)
class Chunk:
    size: int  # documents to add
    seed: float  # setseed() argument


def chunks(current: int, target: int, chunk: int = CHUNK) -> list[Chunk]:
    """The chunks that take the document count from ``current`` to ``target``."""
    plan = []
    done = current
    while done < target:
        size = min(chunk, target - done)
        # The seed depends on where the chunk starts: the same growth gives the same data.
        plan.append(Chunk(size, (done % 9973) / 9973.0))
        done += size
    return plan


def clone(table: str, columns: list[str], overrides: dict[str, str], source: str) -> str:
    """INSERT INTO table SELECT every column of the template row ``src`` (FROM ``source``),
    the expressions of ``overrides`` replacing those of the same name."""
    unknown = set(overrides) - set(columns) - set(OPTIONAL_COLUMNS)
    if unknown:
        raise ValueError(f"{table}: no column {', '.join(sorted(unknown))} (the generator needs updating)")
    names = ", ".join(f'"{c}"' for c in columns)
    values = ",\n       ".join(overrides.get(c, f'src."{c}"') for c in columns)
    return f"INSERT INTO {table} ({names})\nSELECT {values}\n  FROM {source};\n"


# Columns that exist only in some versions of the addons (set when present).
OPTIONAL_COLUMNS = ("needs_correction",)

COLUMNS_QUERY = """
SELECT table_name, string_agg(column_name, ',' ORDER BY ordinal_position)
  FROM information_schema.columns
 WHERE table_schema = 'public' AND is_generated = 'NEVER' AND table_name IN ({tables})
 GROUP BY table_name
"""


def columns_query() -> str:
    return COLUMNS_QUERY.format(tables=", ".join(f"'{t}'" for t in TABLES))


def parse_columns(output: str) -> dict[str, list[str]]:
    result = {}
    for line in output.splitlines():
        table, _, names = line.partition("|")
        result[table] = names.split(",")
    missing = set(TABLES) - set(result)
    if missing:
        raise ValueError(f"tables missing from the database: {', '.join(sorted(missing))}")
    return result


# The seeded documents every new one is copied from: accepted invoices (01, 09) of the
# company, with a move, declared amounts and a tax breakdown.
TEMPLATES = """
CREATE TEMP TABLE bench_tmpl ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY d.id) AS idx, d.id AS doc_id, d.move_id, m.invoice_date AS tmpl_date,
       m.journal_id, d.company_id, substr(d.clave, 10, 12) AS emitter
  FROM l10n_cr_einvoice_document d
  JOIN account_move m ON m.id = d.move_id
 WHERE d.state = 'accepted' AND d.document_type IN ('01', '09') AND d.terminal <> {terminal}
   AND d.replaced_document_id IS NULL AND m.move_type = 'out_invoice' AND m.state = 'posted'
   AND d.declared_amount_total IS NOT NULL
   AND EXISTS (SELECT 1 FROM l10n_cr_einvoice_tax_breakdown b WHERE b.document_id = d.id);
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM bench_tmpl) THEN
        RAISE EXCEPTION 'no accepted seeded invoice to copy: run scripts/stack up (it seeds 10) first';
    END IF;
END $$;
"""

# One row per new document, with its draws; corrections of rejected documents take a second
# slot, so the chunk adds exactly :size documents.
PLAN = """
SET LOCAL max_parallel_workers_per_gather = 0;
SELECT setseed({seed});
CREATE TEMP TABLE bench_base ON COMMIT DROP AS
WITH draws AS (
    SELECT i AS k, random() AS r_tmpl, random() AS r_type, random() AS r_age, random() AS r_state,
           random() AS r_fate, random() AS r_factor, random() AS r_sec, random() AS r_answer,
           random() AS r_fix, random() AS r_fix_answer, random() AS r_fix_sec
      FROM generate_series(1, {size} + {size} / 20 + 10) AS i
), aged AS (
    SELECT *, r_age * {span} * 86400 AS age,
           {now}::timestamp - make_interval(secs => r_age * {span} * 86400) AS issue_date,
           CASE WHEN r_type < 0.05 THEN '03' WHEN r_type < 0.40 THEN '04' WHEN r_type < 0.43 THEN '09'
                ELSE '01' END AS doc_type,
           1 + floor(r_factor * 400)::int AS f,
           (SELECT count(*) FROM bench_tmpl) AS n_tmpl
      FROM draws
), stated AS (
    SELECT *, CASE WHEN age < 120 THEN 'to_send' WHEN age < 1800 THEN 'sent'
                   WHEN r_state < 0.02 THEN 'rejected'
                   WHEN r_state < 0.025 AND age < 30 * 86400 THEN 'error'
                   ELSE 'accepted' END AS state
      FROM aged
), fated AS (
    SELECT *, CASE WHEN state <> 'rejected' THEN NULL
                   WHEN age < 86400 THEN CASE WHEN r_fate < 0.1 THEN 'cancelled' ELSE 'open' END
                   WHEN age > 30 * 86400 THEN CASE WHEN r_fate < 0.9 THEN 'corrected' ELSE 'cancelled' END
                   WHEN r_fate < 0.6 THEN 'corrected' WHEN r_fate < 0.7 THEN 'cancelled' ELSE 'open'
              END AS fate
      FROM stated
), counted AS (
    SELECT *, sum(1 + (fate IS NOT DISTINCT FROM 'corrected')::int) OVER (ORDER BY k) AS cum FROM fated
)
SELECT c.k, t.idx AS tmpl, t.doc_id AS tmpl_doc, t.move_id AS tmpl_move, t.tmpl_date, t.journal_id,
       t.company_id, t.emitter, c.doc_type, c.f, c.state, c.issue_date,
       CASE WHEN c.fate = 'corrected' AND c.cum > {size} THEN 'cancelled' ELSE c.fate END AS fate,
       c.r_sec, c.r_answer, c.r_fix, c.r_fix_answer, c.r_fix_sec
  FROM counted c
  JOIN bench_tmpl t ON t.idx = 1 + floor(c.r_tmpl * c.n_tmpl)::int
 WHERE c.cum - (1 + (c.fate IS NOT DISTINCT FROM 'corrected')::int) < {size};

-- One invoice (or refund) per base row, numbered after what its journal already has.
CREATE TEMP TABLE bench_move ON COMMIT DROP AS
WITH dated AS (
    SELECT b.*, (b.issue_date - interval '6 hours')::date AS inv_date,  -- Costa Rica: UTC-6, no DST
           CASE b.doc_type WHEN '03' THEN 'out_refund' ELSE 'out_invoice' END AS move_type,
           CASE b.doc_type WHEN '03' THEN -1 ELSE 1 END AS s,
           CASE b.fate WHEN 'cancelled' THEN 'cancel' ELSE 'posted' END AS move_state
      FROM bench_base b
), prefixed AS (
    SELECT *, CASE move_type WHEN 'out_refund' THEN 'RINV/' ELSE 'INV/' END
              || extract(year FROM inv_date)::int || '/' AS seq_prefix
      FROM dated
), last AS (
    SELECT x.journal_id, x.seq_prefix,
           (SELECT max(m.sequence_number) FROM account_move m
             WHERE m.journal_id = x.journal_id AND m.sequence_prefix = x.seq_prefix) AS last_number
      FROM (SELECT DISTINCT journal_id, seq_prefix FROM prefixed) x
), numbered AS (
    SELECT p.*, coalesce(l.last_number, 0)
                + row_number() OVER (PARTITION BY p.journal_id, p.seq_prefix ORDER BY p.inv_date, p.k) AS seq_number
      FROM prefixed p JOIN last l USING (journal_id, seq_prefix)
)
-- at least 5 digits, as Odoo writes them (lpad would cut longer numbers)
SELECT n.*, nextval('account_move_id_seq') AS move_id,
       n.seq_prefix || CASE WHEN n.seq_number < 10000 THEN lpad(n.seq_number::text, 5, '0')
                            ELSE n.seq_number::text END AS move_name
  FROM numbered n ORDER BY n.issue_date, n.k;

-- The documents: one per move, and the correction of each corrected rejection.
CREATE TEMP TABLE bench_doc ON COMMIT DROP AS
WITH docs AS (
    SELECT m.k, m.move_id, m.tmpl_doc, m.company_id, m.emitter, m.doc_type, m.f, m.s, m.state, m.fate,
           m.issue_date, false AS is_fix,
           CASE WHEN m.state IN ('accepted', 'rejected')
                THEN m.issue_date + make_interval(secs => 30 + m.r_answer * 3600) END AS answered_date,
           m.r_sec AS r_sec
      FROM bench_move m
    UNION ALL
    SELECT m.k, m.move_id, m.tmpl_doc, m.company_id, m.emitter, m.doc_type, m.f, m.s, 'accepted', NULL,
           m.issue_date + make_interval(secs => 7200 + m.r_fix * 72000), true,
           m.issue_date + make_interval(secs => 7200 + m.r_fix * 72000 + 30 + m.r_fix_answer * 3600),
           m.r_fix_sec
      FROM bench_move m WHERE m.fate = 'corrected'
), last AS (
    -- the last consecutivo of this terminal and type, through the (company_id, consecutivo) unique index
    SELECT x.company_id, x.doc_type,
           (SELECT right(max(c.consecutivo), 10)::bigint FROM l10n_cr_einvoice_document c
             WHERE c.company_id = x.company_id
               AND c.consecutivo >= '001' || lpad('{terminal}', 5, '0') || x.doc_type
               AND c.consecutivo < '001' || lpad('{terminal}', 5, '0') || x.doc_type || 'z') AS last_number
      FROM (SELECT DISTINCT company_id, doc_type FROM docs) x
), numbered AS (
    SELECT d.*, coalesce(l.last_number, 0)
                + row_number() OVER (PARTITION BY d.company_id, d.doc_type ORDER BY d.issue_date, d.k, d.is_fix) AS number
      FROM docs d JOIN last l USING (company_id, doc_type)
)
SELECT n.*, nextval('l10n_cr_einvoice_document_id_seq') AS doc_id,
       '001' || lpad('{terminal}', 5, '0') || n.doc_type || lpad(n.number::text, 10, '0') AS consecutivo,
       lpad(floor(n.r_sec * 100000000)::bigint::text, 8, '0') AS security_code,
       (n.issue_date - interval '6 hours')::date AS issue_day, NULL::int AS replaces
  FROM numbered n ORDER BY n.issue_date, n.k, n.is_fix;
UPDATE bench_doc f SET replaces = o.doc_id FROM bench_doc o WHERE f.is_fix AND o.k = f.k AND NOT o.is_fix;
"""

ANALYZE_PLAN = "ANALYZE bench_move; ANALYZE bench_doc;\n"

ABBREVIATIONS = "CASE p.doc_type WHEN '01' THEN 'FE' WHEN '03' THEN 'NC' WHEN '04' THEN 'TE' WHEN '09' THEN 'FEE' END"


def scaled(*columns: str, signed: bool = False) -> dict[str, str]:
    """The template's amounts times the plan's factor, and its sign when ``signed`` (a credit
    note's signed amounts and balances are the invoice's, negated)."""
    sign = "p.s * " if signed else ""
    return {column: f"{sign}src.{column} * p.f" for column in columns}


def move_overrides() -> dict[str, str]:
    """account_move from its template ``src`` and plan row ``p`` (bench_move)."""
    return {
        "id": "p.move_id", "name": "p.move_name", "sequence_prefix": "p.seq_prefix", "sequence_number": "p.seq_number",
        "state": "p.move_state", "move_type": "p.move_type", "date": "p.inv_date", "invoice_date": "p.inv_date",
        "invoice_date_due": "p.inv_date + (src.invoice_date_due - src.invoice_date)",
        **scaled("amount_untaxed", "amount_tax", "amount_total", "amount_residual", "quick_edit_total_amount"),
        **scaled("amount_untaxed_signed", "amount_untaxed_in_currency_signed", "amount_tax_signed",
                 "amount_total_signed", "amount_total_in_currency_signed", "amount_residual_signed", signed=True),
        # The seed finds its own invoices by their reference: the copies have none.
        "ref": "NULL", "payment_reference": "p.move_name", "access_token": "NULL", "inalterable_hash": "NULL",
        "secure_sequence_number": "NULL", "message_main_attachment_id": "NULL", "sending_data": "NULL",
        "is_move_sent": "p.state = 'accepted'",
        "l10n_cr_state": "CASE WHEN p.fate = 'corrected' THEN 'accepted' ELSE p.state END",
        "l10n_cr_document_type": "p.doc_type",
        "create_date": "p.issue_date", "write_date": "p.issue_date",
    }


def line_overrides() -> dict[str, str]:
    """account_move_line from its template ``src``, the id map ``lm`` and plan row ``p``."""
    return {
        "id": "lm.new_id", "move_id": "p.move_id", "move_name": "p.move_name", "parent_state": "p.move_state",
        "date": "p.inv_date", "invoice_date": "p.inv_date",
        "date_maturity": "p.inv_date + (src.date_maturity - p.tmpl_date)",
        "debit": "CASE WHEN p.s > 0 THEN src.debit ELSE src.credit END * p.f",
        "credit": "CASE WHEN p.s > 0 THEN src.credit ELSE src.debit END * p.f",
        **scaled("balance", "amount_currency", "amount_residual", "amount_residual_currency", "tax_base_amount",
                 "discount_amount_currency", "discount_balance", signed=True),
        **scaled("quantity", "price_subtotal", "price_total"),
        "name": "CASE WHEN src.display_type = 'payment_term' THEN p.move_name ELSE src.name END",
        "ref": "NULL", "matching_number": "NULL", "full_reconcile_id": "NULL", "reconciled": "false",
        "create_date": "p.issue_date", "write_date": "p.issue_date",
    }


def document_overrides() -> dict[str, str]:
    """l10n_cr_einvoice_document from its template ``src`` and plan row ``p`` (bench_doc)."""
    declared = {column: f"CASE WHEN p.state = 'accepted' THEN {amount} END" for column, amount in scaled(
        "declared_amount_untaxed", "declared_amount_tax", "declared_amount_total", "declared_amount_untaxed_crc",
        "declared_amount_tax_crc", "declared_amount_total_crc", signed=True).items()}
    answered = "p.state IN ('accepted', 'rejected')"
    return {
        "id": "p.doc_id", "move_id": "p.move_id", "establishment": "1", "terminal": str(TERMINAL),
        "number": "p.number", "situation": "'1'", "security_code": "p.security_code",
        "schema_set": "CASE WHEN p.issue_day >= DATE '2026-11-01' THEN 'v4.4-2026' ELSE 'v4.4' END",
        "consecutivo": "p.consecutivo", "name": f"{ABBREVIATIONS} || ' ' || p.consecutivo",
        "clave": "'506' || to_char(p.issue_day, 'DDMMYY') || p.emitter || p.consecutivo || '1' || p.security_code",
        "document_type": "p.doc_type", "state": "p.state", "issue_date": "p.issue_date", "issue_day": "p.issue_day",
        "hacienda_status": "CASE p.state WHEN 'accepted' THEN 'aceptado' WHEN 'rejected' THEN 'rechazado'"
                           " WHEN 'sent' THEN 'recibido' END",
        "hacienda_message": "CASE p.state WHEN 'accepted' THEN src.hacienda_message WHEN 'rejected' THEN"
                            " 'El comprobante fue rechazado: la identificación del receptor no es válida.' END",
        "error_kind": "CASE p.state WHEN 'rejected' THEN 'rejected' WHEN 'error' THEN 'data' END",
        "error_message": "CASE p.state WHEN 'rejected' THEN 'Hacienda rejected this document.'"
                         " WHEN 'error' THEN 'The customer''s identification number is not valid.' END",
        "xml_attachment_id": "NULL", "response_attachment_id": "NULL",
        "submission_started": "p.state NOT IN ('to_send', 'error')",
        "attempt_count": "CASE WHEN p.state IN ('to_send', 'error') THEN 0 ELSE 1 END",
        "poll_count": f"CASE WHEN {answered} THEN 1 ELSE 0 END", "hacienda_error_count": "0",
        "next_try": "CASE WHEN p.state IN ('to_send', 'sent') THEN p.issue_date + interval '7 days' END",
        "submitted_date": "CASE WHEN p.state NOT IN ('to_send', 'error') THEN p.issue_date + interval '5 seconds' END",
        "answered_date": "p.answered_date", "email_sent": "p.state = 'accepted'",
        "replaced_document_id": "p.replaces",
        **declared,
        "declared_currency_id": "CASE WHEN p.state = 'accepted' THEN src.declared_currency_id END",
        "declared_crc_currency_id": "CASE WHEN p.state = 'accepted' THEN src.declared_crc_currency_id END",
        "declared_exchange_rate": "CASE WHEN p.state = 'accepted' THEN src.declared_exchange_rate END",
        "declared_note": "NULL",
        # The staging crons' alerts are taken as sent: they would e-mail every open problem.
        "stuck_alerted": "CASE WHEN p.state = 'error' THEN p.issue_date + interval '4 hours' END",
        "rejected_alerted": "CASE WHEN p.fate = 'open' THEN p.answered_date + interval '1 hour' END",
        "needs_correction": "p.fate IS NOT DISTINCT FROM 'open'",
        "create_date": "p.issue_date", "write_date": "coalesce(p.answered_date, p.issue_date)",
    }


def breakdown_overrides() -> dict[str, str]:
    return {
        "id": "nextval('l10n_cr_einvoice_tax_breakdown_id_seq')", "document_id": "p.doc_id",
        "document_type": "p.doc_type", "issue_day": "p.issue_day",
        **scaled("base_amount", "tax_amount", "exonerated_amount", "net_tax_amount", "base_amount_crc",
                 "tax_amount_crc", "exonerated_amount_crc", "net_tax_amount_crc", signed=True),
        "create_date": "p.answered_date", "write_date": "p.answered_date",
    }


def chunk_sql(chunk: Chunk, columns: dict[str, list[str]], now_sql: str) -> str:
    """One transaction adding ``chunk.size`` documents with their moves, lines and taxes."""

    def present(table, overrides):  # columns of other versions of the addons are left out
        return {k: v for k, v in overrides.items() if k in columns[table] or k not in OPTIONAL_COLUMNS}

    sql = ["BEGIN;", TEMPLATES.format(terminal=TERMINAL),
           PLAN.format(seed=chunk.seed, size=chunk.size, span=SPAN_DAYS, now=now_sql, terminal=TERMINAL),
           ANALYZE_PLAN]
    sql.append(clone("account_move", columns["account_move"], present("account_move", move_overrides()),
                     "bench_move p JOIN account_move src ON src.id = p.tmpl_move"))
    sql.append("""CREATE TEMP TABLE bench_line ON COMMIT DROP AS
SELECT p.k, l.id AS tmpl_line, nextval('account_move_line_id_seq') AS new_id
  FROM bench_move p JOIN account_move_line l ON l.move_id = p.tmpl_move ORDER BY p.issue_date, p.k, l.id;
""")
    sql.append(clone("account_move_line", columns["account_move_line"],
                     present("account_move_line", line_overrides()),
                     "bench_line lm JOIN bench_move p ON p.k = lm.k"
                     " JOIN account_move_line src ON src.id = lm.tmpl_line"))
    sql.append("""INSERT INTO account_move_line_account_tax_rel (account_move_line_id, account_tax_id)
SELECT lm.new_id, r.account_tax_id
  FROM bench_line lm JOIN account_move_line_account_tax_rel r ON r.account_move_line_id = lm.tmpl_line;
""")
    sql.append(clone("l10n_cr_einvoice_document", columns["l10n_cr_einvoice_document"],
                     present("l10n_cr_einvoice_document", document_overrides()),
                     "bench_doc p JOIN l10n_cr_einvoice_document src ON src.id = p.tmpl_doc"))
    sql.append(clone("l10n_cr_einvoice_tax_breakdown", columns["l10n_cr_einvoice_tax_breakdown"],
                     present("l10n_cr_einvoice_tax_breakdown", breakdown_overrides()),
                     "bench_doc p JOIN l10n_cr_einvoice_tax_breakdown src ON src.document_id = p.tmpl_doc"
                     " WHERE p.state = 'accepted'"))
    sql.append("COMMIT;\n")
    return "\n".join(sql)


def vacuum_sql(extra_tables: list[str] = ()) -> str:
    return "".join(f"VACUUM (ANALYZE) {table};\n" for table in (*TABLES, *extra_tables))
