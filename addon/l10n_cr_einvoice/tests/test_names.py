import inspect
import re

from odoo import fields
from odoo.tests import TransactionCase, tagged

FAMILY = ('l10n_cr_einvoice', 'l10n_cr_einvoice_pos', 'l10n_cr_einvoice_analytics')

# docs/architecture.md, "Names". On Odoo's models: `l10n_cr_`, after Odoo's role word for
# methods (and `pos_` for the settings Odoo's POS mirrors from pos.config), never a second
# prefix `l10n_cr_einvoice_`.
OTHERS_FIELD = re.compile(r'(pos_)?l10n_cr_(?!einvoice_)[a-z0-9_]+')
OTHERS_METHOD = re.compile(
    r'(_|action_|_cron_|_compute_|_inverse_|_search_|_check_|_onchange_|_get_)?l10n_cr_(?!einvoice_)[a-z0-9_]+')
# On the family's own models: fields without a prefix; methods as above, or one of Odoo's hooks
# named after what it serves (or, for a report, the name ir.actions.report calls).
OWN_FIELD = re.compile(r'(?!l10n_cr)[a-z][a-z0-9_]*')
OWN_METHOD = re.compile(
    r'(_|action_|_cron_)l10n_cr_[a-z0-9_]+|_(compute|inverse|search|check|onchange|unlink|selection)_[a-z0-9_]+'
    r'|_get_report_values')


@tagged('post_install', '-at_install')
class TestNames(TransactionCase):
    """Every field and method the three addons add, read from the registry, follows the rule."""

    def _added_names(self):
        """(model, own?, 'field'|'method', name) for each name a class of the family adds to a
        model — not the ones it overrides."""
        for model_name, model in self.env.registry.items():
            # The model's definition classes; registry classes (with a `pool`) only gather them.
            classes = [cls for cls in model.__mro__
                       if 'pool' not in vars(cls) and getattr(cls, '_module', None) is not None]
            own = model._original_module in FAMILY
            for cls in classes:
                if cls._module not in FAMILY:
                    continue
                # Odoo's classes, BaseModel's included: a name found there is overridden, not added.
                others = [other for other in model.__mro__ if getattr(other, '_module', None) not in FAMILY]
                for name, value in vars(cls).items():
                    if isinstance(value, fields.Field):
                        kind = 'field'
                    elif inspect.isfunction(value) or isinstance(value, (staticmethod, classmethod)):
                        kind = 'method'
                    else:
                        continue
                    if name.startswith('__') or any(name in vars(other) for other in others):
                        continue
                    yield model_name, own, kind, name

    def test_one_prefix_per_kind_of_name(self):
        self.maxDiff = None
        rules = {(False, 'field'): OTHERS_FIELD, (False, 'method'): OTHERS_METHOD,
                 (True, 'field'): OWN_FIELD, (True, 'method'): OWN_METHOD}
        names = list(self._added_names())
        self.assertGreater(len(names), 500, "the registry's classes were read")
        wrong = sorted({f'{model}.{name} ({kind})' for model, own, kind, name in names
                        if not rules[own, kind].fullmatch(name)})
        self.assertEqual(wrong, [], "names outside docs/architecture.md's rule")

    def test_the_rule_tells_names_apart(self):
        """The patterns refuse what the rule forbids, so the test above can fail."""
        self.assertFalse(OTHERS_FIELD.fullmatch('l10n_cr_einvoice_state'))
        self.assertFalse(OTHERS_FIELD.fullmatch('state'))
        self.assertFalse(OTHERS_METHOD.fullmatch('_l10n_cr_einvoice_values'))
        self.assertFalse(OTHERS_METHOD.fullmatch('_values'))
        self.assertFalse(OWN_FIELD.fullmatch('l10n_cr_stuck'))
        self.assertFalse(OWN_METHOD.fullmatch('action_import'))
        self.assertTrue(OTHERS_METHOD.fullmatch('_compute_l10n_cr_state'))
        self.assertTrue(OWN_METHOD.fullmatch('_l10n_cr_set_state'))
