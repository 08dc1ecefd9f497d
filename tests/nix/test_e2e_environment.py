"""The e2e VM test gives tests/stack every environment variable the suites read, each
pointing at what the NixOS machine really has."""

from __future__ import annotations

import ast
import json
import re

from nix_harness import REPO, nix_eval_json

# Read by the suites but deliberately not set in the VM, and why.
NOT_SET = {
    # the plain-host stack's state directory: unset, the suites require every service
    # instead of skipping the ones a plain host may lack
    "STACK_HOME",
    # only a fallback for finding the XSDs when HACIENDA_XSD_DIR is not set
    "HACIENDA_SHARED_DIR",
}


def variables_read_by_the_suites() -> set[str]:
    found = set()
    # the suites, and the stack environment they read through einvoice_stack
    for path in [*sorted((REPO / "tests" / "stack").glob("*.py")), REPO / "stack" / "einvoice_stack" / "stack_env.py"]:
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r"""(?:environ|env)(?:\.get\(|\[)\s*["']([A-Z][A-Z0-9_]+)["']""", text))
    return found


def e2e_environment() -> dict[str, str]:
    # through --apply: Nix 2.8's evaluation cache mishandles a string with store references
    script = nix_eval_json("checks.x86_64-linux.e2e.harness", apply="h: h.script")
    call = next(node for node in ast.walk(ast.parse(script))
                if isinstance(node, ast.Call) and ast.unparse(node.func) == "json.loads")
    return json.loads(ast.literal_eval(call.args[0]))


def test_every_variable_the_suites_read_is_set():
    read = variables_read_by_the_suites()
    assert {"ODOO_DB_PASSWORD_FILE", "STACK_MAILDIR", "GRAFANA_ADMIN_PASSWORD_FILE", "HACIENDA_XSD_DIR"} <= read
    env = e2e_environment()
    missing = read - set(env) - NOT_SET
    assert not missing, f"tests/stack reads {sorted(missing)}, which the e2e VM test does not set"


def test_the_values_are_this_machines():
    env = e2e_environment()
    machine = nix_eval_json(
        "checks.x86_64-linux.e2e.nodes.staging.services.l10n-cr-einvoice-staging",
        apply="s: { inherit (s) secrets; maildir = s.mailSink.maildir; schemas = \"${s.packages.schemas}\"; "
              "testPki = s.testPki.directory; }")
    secrets = machine["secrets"]
    assert env["ODOO_ADMIN_PASSWORD_FILE"] == secrets["adminPasswordFile"]
    assert env["ODOO_DB_PASSWORD_FILE"] == secrets["databasePasswordFile"]
    assert env["HACIENDA_CREDENTIALS_FILE"] == secrets["haciendaCredentialsFile"]
    assert env["METRICS_TOKEN_FILE"] == secrets["metricsTokenFile"]
    assert env["SIMULATOR_CONTROL_TOKEN_FILE"] == secrets["simulatorControlTokenFile"]
    assert env["REDIS_PASSWORD_FILE"] == secrets["redisPasswordFile"]
    assert env["GRAFANA_ADMIN_PASSWORD_FILE"] == secrets["grafanaAdminPasswordFile"]
    assert env["STACK_MAILDIR"] == machine["maildir"]
    assert env["HACIENDA_XSD_DIR"] == machine["schemas"]
    assert env["STACK_TEST_PKI_DIR"] == machine["testPki"]


def test_the_vms_python_has_what_the_stack_suites_import():
    """tests/stack run on the e2e machine's Python (a python.withPackages environment)."""
    import sys

    envs = nix_eval_json(
        "checks.x86_64-linux.e2e.nodes.staging.environment.systemPackages",
        apply="ps: map (e: map (p: p.pname or p.name) e.packages) (builtins.filter (p: p ? packages) ps)")
    assert len(envs) == 1, envs
    provided = set(envs[0])
    local = {path.stem for path in (REPO / "tests" / "stack").glob("*.py")}
    imported = set()
    for path in (REPO / "tests" / "stack").glob("*.py"):
        imported |= set(re.findall(r"^\s*(?:from|import) ([A-Za-z_]\w*)", path.read_text(encoding="utf-8"), re.M))
    providers = {"einvoice_stack": "l10n-cr-einvoice-stack", "pytest": "pytest", "requests": "requests",
                 "PyPDF2": "pypdf2"}
    # Imported only when supervisord's socket exists: the plain-host stack, never the VM.
    plain_host_only = {"supervisor"}
    third_party = sorted(imported - set(sys.stdlib_module_names) - local - {"__future__"} - plain_host_only)
    missing = [name for name in third_party if providers.get(name) not in provided]
    assert not missing, f"tests/stack import {missing}, which the e2e VM's Python lacks"
