"""A history for the query planner: many document rows added by SQL, and the plans PostgreSQL
picks for the ORM's queries on them.

Whether an index serves a search is the planner's choice, made on the table's statistics: with a
few test documents a sequential scan is always cheapest. These helpers grow the table (rows
only: no move, no XML) and ANALYZE it, so that a test sees the plan a long history would get."""

from odoo.tools import SQL

TERMINAL = 99  # the grown documents' terminal: their consecutivos never meet the test's own


def grow_documents(env, company, count):
    """``count`` accepted tickets over the last two years (one in 97 rejected, one in 89 in
    error), issued by ``company``; the table is analysed afterwards."""
    env.flush_all()
    env.cr.execute(SQL(
        """
        INSERT INTO l10n_cr_einvoice_document
               (company_id, document_type, situation, state, error_kind, issue_date, establishment, terminal,
                number, consecutivo, clave, name, submission_started, create_date, write_date)
        SELECT %(company)s, '04', '1',
               CASE WHEN i %% 97 = 0 THEN 'rejected' WHEN i %% 89 = 0 THEN 'error' ELSE 'accepted' END,
               CASE WHEN i %% 97 = 0 THEN 'rejected' WHEN i %% 89 = 0 THEN 'data' END,
               issued, 1, %(terminal)s, i, c.consecutivo,
               '506' || to_char(issued - interval '6 hours', 'DDMMYY') || '003101123456' || c.consecutivo
                     || '1' || lpad((i * 7919 %% 100000000)::text, 8, '0'),
               'TE ' || c.consecutivo, true, issued, issued
          FROM generate_series(1, %(count)s) AS i,
               LATERAL (SELECT (now() AT TIME ZONE 'UTC')
                                       - make_interval(mins => ((%(count)s - i)::bigint * 1051200 / %(count)s)::int)
                               AS issued,
                               '001' || lpad(%(terminal)s::text, 5, '0') || '04' || lpad(i::text, 10, '0')
                               AS consecutivo) AS c
        """, company=company.id, count=count, terminal=TERMINAL))
    # What autovacuum does after such a load: statistics, and the GIN (trigram) indexes' pending
    # entries merged, without which the planner prices those indexes out.
    env.cr.execute("ANALYZE l10n_cr_einvoice_document")
    env.cr.execute("""
        SELECT gin_clean_pending_list(i.indexrelid)
          FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
         WHERE i.indrelid = 'l10n_cr_einvoice_document'::regclass AND a.amname = 'gin'""")
    env.invalidate_all()


def plan(env, query):
    """EXPLAIN's text of an ORM query (``Model._search(...)``) or of SQL."""
    sql = query.select() if hasattr(query, 'select') else query
    return '\n'.join(row[0] for row in env.execute_query(SQL("EXPLAIN %s", sql)))


def grow_invoices(env, move, count):
    """``count`` copies of the posted invoice ``move`` (the move row only), a thousand a day
    (a busy shop), each with its own total; the table is analysed afterwards."""
    env.flush_all()
    columns = [row[0] for row in env.execute_query(SQL(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'account_move'"
        " AND column_name <> 'id' AND is_generated = 'NEVER'"))]
    overrides = {
        'name': SQL("m.name || '-' || i"),
        'invoice_date': SQL("m.invoice_date - i / 1000"),
        'date': SQL("m.date - i / 1000"),
        'amount_total': SQL("m.amount_total + i"),
        'amount_total_signed': SQL("m.amount_total_signed + i"),
        'payment_reference': SQL("NULL"),
        'access_token': SQL("NULL"),
    }
    env.execute_query(SQL(
        "INSERT INTO account_move (%s) SELECT %s FROM account_move m, generate_series(1, %s) AS i WHERE m.id = %s",
        SQL(', ').join(SQL.identifier(c) for c in columns),
        SQL(', ').join(overrides.get(c, SQL('m.%s', SQL.identifier(c))) for c in columns), count, move.id))
    env.cr.execute("ANALYZE account_move")
    env.invalidate_all()
