"""Renaming fields in an existing database, for the three addons' migration scripts.

Renaming a field in the code alone would make Odoo add an empty column under the new name and
forget the old one: the values, the field's id (mail tracking values, saved defaults, the
selection values hang on it) and the text that names it in records the update does not reload
(mail templates and record rules loaded with noupdate, saved filters, actions) would be lost. So
a pre-migration renames the column, its index, the ir.model.fields row and its XML id in place,
then the name wherever database text refers to it. Renamed methods that views call (buttons) are
renamed in the module's views too: the update validates a view with the views inheriting from it
that are still in the database, before their own files are loaded again.
"""

import logging

from odoo.tools.sql import SQL, column_exists, rename_column

_logger = logging.getLogger(__name__)

# Text columns of records that may name a field and that a module update does not rewrite.
FIELD_TEXT_COLUMNS = (
    ('mail_template', ('subject', 'body_html', 'email_from', 'email_to', 'email_cc', 'partner_to',
                       'reply_to', 'lang', 'report_name')),
    ('ir_rule', ('domain_force',)),
    ('ir_filters', ('domain', 'context', 'sort')),
    ('ir_act_window', ('domain', 'context')),
    ('ir_act_server', ('code',)),
    ('ir_ui_view', ('arch_db',)),
)


def rename_fields(cr, module, renames, methods=()):
    """Rename fields declared by `module`: `renames` is a list of (model, old name, new name);
    `methods`, (old name, new name) of the methods its views call."""
    for model, old, new in renames:
        table = model.replace('.', '_')
        if column_exists(cr, table, old) and not column_exists(cr, table, new):
            rename_column(cr, table, old, new)
            cr.execute(SQL("ALTER INDEX IF EXISTS %s RENAME TO %s",
                           SQL.identifier(f'{table}__{old}_index'), SQL.identifier(f'{table}__{new}_index')))
        # The module's field records of that name, on the model and on the models that show it too
        # (the settings, and `_inherits`: account.bank.statement.line a move's, res.users a
        # partner's), and their XML ids field_<model>__<name>.
        params = {'module': module, 'old': old, 'new': new, 'suffix': f'__{old}'}
        cr.execute("""UPDATE ir_model_fields field SET name = %(new)s
                        FROM ir_model_data xmlid
                       WHERE xmlid.module = %(module)s AND xmlid.model = 'ir.model.fields'
                         AND xmlid.res_id = field.id AND field.name = %(old)s""", params)
        cr.execute("""UPDATE ir_model_data
                         SET name = left(name, -length(%(suffix)s)) || '__' || %(new)s
                       WHERE module = %(module)s AND model = 'ir.model.fields'
                         AND right(name, length(%(suffix)s)) = %(suffix)s""", params)
        # A selection's values: selection__<model>__<name>__<value> (their translations hang on them).
        cr.execute("""UPDATE ir_model_data
                         SET name = replace(name, %(infix)s, %(new_infix)s)
                       WHERE module = %(module)s AND model = 'ir.model.fields.selection'
                         AND strpos(name, %(infix)s) > 0""",
                   {**params, 'infix': f'__{old}__', 'new_infix': f'__{new}__'})
    # Field names are ours alone: renamed wherever they appear (the sibling addons' views
    # included). Method names such as action_import are common words: only in the module's views.
    renamed = {old: new for _model, old, new in renames}
    for table, columns in FIELD_TEXT_COLUMNS:
        for column in columns:
            _rename_in_text(cr, table, column, renamed)
    cr.execute("SELECT res_id FROM ir_model_data WHERE module = %s AND model = 'ir.ui.view'", (module,))
    views = SQL('id IN %s', tuple(row[0] for row in cr.fetchall()) or (0,))
    _rename_in_text(cr, 'ir_ui_view', 'arch_db', dict(methods), views)
    _logger.info("%s: %d fields and %d methods renamed", module, len(renames), len(methods))


def _rename_in_text(cr, table, column, renamed, where=None):
    where = SQL('TRUE') if where is None else where
    cr.execute("SELECT data_type FROM information_schema.columns WHERE table_name = %s AND column_name = %s",
               (table, column))
    row = cr.fetchone()
    if not row:
        return
    is_json = row[0] == 'jsonb'
    text = SQL('%s::text', SQL.identifier(column)) if is_json else SQL.identifier(column)
    for old, new in renamed.items():
        # \m and \M: whole words only, so a name that begins another one is left alone.
        pattern = rf'\m{old}\M'
        replaced = SQL("regexp_replace(%s, %s, %s, 'g')", text, pattern, new)
        cr.execute(SQL("UPDATE %s SET %s = %s WHERE %s ~ %s AND %s",
                       SQL.identifier(table), SQL.identifier(column),
                       SQL('(%s)::jsonb', replaced) if is_json else replaced, text, pattern, where))
