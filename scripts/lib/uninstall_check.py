# Run inside `odoo-bin shell -d DB` by `scripts/odoo-test --uninstall-check` (the MODULES
# environment variable names the project's modules): uninstall them and verify that nothing of
# theirs is left in the database. Prints "uninstall-check: OK" or "uninstall-check: FAILED ..."
# lines; scripts/odoo-test judges by them.
import os

names = [m for m in os.environ["MODULES"].split(",") if m]
Module = env["ir.module.module"]  # noqa: F821 (odoo shell provides env)
modules = Module.search([("name", "in", names), ("state", "=", "installed")])
missing = sorted(set(names) - set(modules.mapped("name")))
problems = [f"not installed before the check: {', '.join(missing)}"] if missing else []

# What the modules own, read before they go.
Data = env["ir.model.data"]  # noqa: F821
# A model is the modules' own when only they declare it (every module extending a model also
# gets an ir.model.data entry for it).
declared = {}
for data in Data.search([("model", "=", "ir.model")]):
    declared.setdefault(data.res_id, set()).add(data.module)
own_ids = [res_id for res_id, mods in declared.items() if mods <= set(names)]
model_names = env["ir.model"].browse(own_ids).exists().mapped("model")  # noqa: F821
tables = sorted({env[m]._table for m in model_names if m in env and not env[m]._abstract})  # noqa: F821
field_modules = {}
for data in Data.search([("model", "=", "ir.model.fields")]):
    field_modules.setdefault(data.res_id, set()).add(data.module)
own_field_ids = [res_id for res_id, mods in field_modules.items() if mods <= set(names)]
columns = [
    (env[f.model]._table, f.name)  # noqa: F821
    for f in env["ir.model.fields"].browse(own_field_ids).exists()  # noqa: F821
    if f.store and f.model in env and f.model not in model_names and not env[f.model]._abstract  # noqa: F821
]
print(f"uninstall-check: {len(modules)} modules own {len(model_names)} models, {len(tables)} tables, "
      f"{len(columns)} columns on other models")

modules.button_immediate_uninstall()
env.cr.commit()  # noqa: F821
env.invalidate_all()  # noqa: F821

still = Module.search([("name", "in", names), ("state", "!=", "uninstalled")])
if still:
    problems.append("still installed: " + ", ".join(f"{m.name} ({m.state})" for m in still))
left_data = Data.search_count([("module", "in", names)])
if left_data:
    problems.append(f"{left_data} ir.model.data records of the modules remain")
cr = env.cr  # noqa: F821
for table in tables:
    cr.execute("SELECT to_regclass(%s)", [table])
    if cr.fetchone()[0]:
        problems.append(f"table {table} remains")
for table, column in columns:
    cr.execute(
        "SELECT 1 FROM information_schema.columns WHERE table_name = %s AND column_name = %s", [table, column]
    )
    if cr.fetchone():
        problems.append(f"column {table}.{column} remains")
left_models = env["ir.model"].search_count([("model", "in", model_names)])  # noqa: F821
if left_models:
    problems.append(f"{left_models} models remain registered")

for problem in problems:
    print(f"uninstall-check: FAILED: {problem}")
if not problems:
    print("uninstall-check: OK")
