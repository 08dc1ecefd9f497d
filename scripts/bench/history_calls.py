"""The calls the web client makes for the screens that must not slow down as history grows
(issue 18), built from the actions and views of the running database -- so a changed view is
measured as it is -- and timed over JSON-RPC, as the browser sends them.

Standard library only; used by scripts/bench/history.py."""

from __future__ import annotations

import ast
import statistics
import time
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass

# The web client asks for the exact count of a list up to this many records (DEFAULT_COUNT_LIMIT + 1).
COUNT_LIMIT = 10001
PAGE = 80


class WebClient:
    """An OdooRPC session that calls models with the context the web client sends."""

    def __init__(self, rpc, context: dict):
        self.rpc = rpc
        self.context = context

    def call(self, model: str, method: str, *args, **kwargs):
        context = {**self.context, **kwargs.pop("context", {})}
        return self.rpc.call(model, method, *args, context=context, **kwargs)

    def action(self, xmlid: str) -> dict:
        return self.rpc._post("/web/action/load", {"action_id": xmlid, "context": self.context})

    def views(self, model: str, view_types: list[tuple[int | bool, str]], action_id: int | None = None) -> dict:
        result = self.call(model, "get_views", [list(v) for v in view_types],
                           {"action_id": action_id, "load_filters": True, "toolbar": True})
        return {view_type: ET.fromstring(view["arch"]) for view_type, view in result["views"].items()}


def literal(text, **names):
    """A domain or context written in a view or an action (Python literals; ``self`` and other
    names given as keywords)."""
    if text in (None, False, ""):
        return []
    if not isinstance(text, str):
        return text
    tree = ast.parse(text, mode="eval")

    class Names(ast.NodeTransformer):
        def visit_Name(self, node):
            if node.id in names:
                return ast.copy_location(ast.Constant(names[node.id]), node)
            return node

    return ast.literal_eval(ast.fix_missing_locations(Names().visit(tree)))


def list_specification(arch: ET.Element, fields: dict) -> dict:
    """web_search_read's specification for a list view: every field of the arch (invisible
    ones too, the client loads them for decorations), many2one with their display name."""
    spec = {}
    for node in arch.iter("field"):
        name = node.get("name")
        if name not in fields:
            continue
        spec[name] = {"fields": {"display_name": {}}} if fields[name]["type"] == "many2one" else {}
    return spec


def and_domains(*domains) -> list:
    parts = [list(d) for d in domains if d]
    return ["&"] * (len(parts) - 1) + [term for part in parts for term in part]


def default_filters_domain(search: ET.Element, context: dict) -> list:
    """The domain of the filters an action turns on (``search_default_<name>``)."""
    return and_domains(*(literal(node.get("domain")) for node in search.iter("filter")
                         if context.get(f"search_default_{node.get('name')}") and node.get("domain")))


def field_search_domain(search: ET.Element, field: str, value: str) -> list:
    """What typing ``value`` in the search box and picking ``field`` searches."""
    for node in search.iter("field"):
        if node.get("name") == field:
            if node.get("filter_domain"):
                return literal(node.get("filter_domain"), self=value)
            return [(field, node.get("operator") or "ilike", value)]
    raise LookupError(f"the search view has no field {field!r}")


def measure_specs(measures: list[str], fields: dict) -> list[str]:
    """The aggregates the pivot asks for its measures (pivot_model.js, _getMeasureSpecs)."""
    specs = []
    for name in measures:
        if name == "__count":
            specs.append(name)
            continue
        field = fields[name]
        aggregator = "count_distinct" if field["type"] == "many2one" else field.get("aggregator")
        specs.append(f"{name}:{aggregator}")
        if field.get("currency_field"):
            specs += [f"{field['currency_field']}:array_agg_distinct", f"{name}:sum_currency"]
    return specs


def pivot_request(arch: ET.Element, fields: dict) -> tuple[list[list[str]], list[str]]:
    """The grouping sets and aggregates of a pivot's first load: every prefix of the row
    groupbys crossed with every prefix of the column ones, in one formatted_read_grouping_sets."""

    def spec(node):
        return f"{node.get('name')}:{node.get('interval')}" if node.get("interval") else node.get("name")

    rows = [spec(n) for n in arch.iter("field") if n.get("type") == "row"]
    cols = [spec(n) for n in arch.iter("field") if n.get("type") == "col"]
    measures = [n.get("name") for n in arch.iter("field") if n.get("type") == "measure"] or ["__count"]
    specs = measure_specs(measures, fields)
    if "__count" not in specs:
        specs.append("__count")
    sets = []
    for i in range(len(rows) + 1):
        for j in range(len(cols) + 1):
            groupby = rows[:i] + cols[:j]
            if sorted(groupby) not in [sorted(s) for s in sets]:
                sets.append(groupby)
    return sets, specs


def graph_request(arch: ET.Element) -> tuple[list[str], list[str]]:
    groupby = [f"{n.get('name')}:{n.get('interval')}" if n.get("interval") else n.get("name")
               for n in arch.iter("field") if n.get("type") != "measure"]
    measures = [f"{n.get('name')}:sum" for n in arch.iter("field") if n.get("type") == "measure"] or ["__count"]
    return groupby, measures


@dataclass
class Operation:
    name: str
    call: Callable[[], object]
    check: Callable[[object], str] = lambda _result: ""  # a short description of the answer


def timed(call: Callable[[], object], runs: int) -> tuple[float, object]:
    """Median wall-clock milliseconds of ``runs`` calls after one warm-up call."""
    result = call()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = call()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples), result


def list_operation(client: WebClient, name: str, action_xmlid: str, *, view_type="list",
                   extra_domain: Callable[[ET.Element], list] | None = None) -> Operation:
    """The first page of an action's list view (its default filters applied)."""
    action = client.action(action_xmlid)
    model = action["res_model"]
    context = literal(action.get("context")) or {}
    view_id = next((vid for vid, vtype in action.get("views") or [] if vtype == view_type), False)
    search_view_id = action["search_view_id"][0] if action.get("search_view_id") else False
    views = client.views(model, [(view_id, view_type), (search_view_id, "search")], action_id=action["id"])
    fields = client.call(model, "fields_get", attributes=["type"])
    spec = list_specification(views[view_type], fields)
    domain = and_domains(literal(action.get("domain")), default_filters_domain(views["search"], context),
                         extra_domain(views["search"]) if extra_domain else [])
    call_context = {k: v for k, v in context.items() if not k.startswith("search_default_")}

    def call():
        return client.call(model, "web_search_read", domain, spec, offset=0, limit=PAGE, order="",
                           count_limit=COUNT_LIMIT, context={**call_context, "bin_size": True})

    return Operation(name, call, lambda r: f"{len(r['records'])} of {r['length']}")


def pivot_operation(client: WebClient, name: str, action_xmlid: str) -> Operation:
    action = client.action(action_xmlid)
    model = action["res_model"]
    context = literal(action.get("context")) or {}
    views = client.views(model, [(False, "pivot"), (False, "search")], action_id=action["id"])
    fields = client.call(model, "fields_get", attributes=["type", "aggregator", "currency_field"])
    sets, specs = pivot_request(views["pivot"], fields)
    domain = default_filters_domain(views["search"], context)

    def call():
        return client.call(model, "formatted_read_grouping_sets", domain, sets, specs)

    return Operation(name, call, lambda r: f"{sum(len(g) for g in r)} groups")


def graph_operation(client: WebClient, name: str, action_xmlid: str) -> Operation:
    action = client.action(action_xmlid)
    model = action["res_model"]
    views = client.views(model, [(False, "graph")], action_id=action["id"])
    groupby, measures = graph_request(views["graph"])

    def call():
        return client.call(model, "formatted_read_group", [], groupby, measures, order=", ".join(groupby))

    return Operation(name, call, lambda r: f"{len(r)} groups")


def metrics_operation(url: str, token: str) -> Operation:
    def call():
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=300) as response:
            return response.read()

    return Operation("GET /metrics (Odoo's port)", call, lambda r: f"{len(r) // 1024} KiB")


def monthly_report_operation(client: WebClient, company_id: int, year: int, month: int) -> Operation:
    """The D-104 workbook of a month: the wizard saved, then its button (report data + XLSX)."""
    model = "l10n_cr.einvoice.monthly.report"

    def call():
        [wizard] = client.call(model, "create", [{"company_id": company_id, "year": year, "month": str(month)}])
        return client.call(model, "action_l10n_cr_export_xlsx", [wizard])

    return Operation(f"monthly D-104 workbook ({year}-{month:02d})", call, lambda r: r.get("type", ""))


def control_operation(client: WebClient, uid: int) -> Operation:
    """A call through the same path that reads no history (the user's own name): what a request
    costs at the machine's current load. The other rows' figures minus this one are what the
    history can cost; on a busy machine every row grows with this one, at every size alike."""
    def call():
        return client.call("res.users", "read", [uid], ["name"])

    return Operation("control: a call that reads no history", call, lambda r: f"{len(r)} record")
