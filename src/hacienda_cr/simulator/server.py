"""The simulator's HTTP side: Hacienda's paths on a threaded standard-library server.

Paths (the same as Hacienda's; ``/recepcion-sandbox/v1/`` is accepted as an alias):

``POST /auth/realms/{realm}/protocol/openid-connect/token``  password / refresh_token grants
``POST /recepcion/v1/recepcion``                            submit (202 + Location)
``GET  /recepcion/v1/recepcion/{clave}[-{consecutivoReceptor}]``  status
``GET  /recepcion/v1/comprobantes[/{clave}]``               the user's documents
``GET /fe/ae``, ``/fe/ex``, ``/fe/cabys``, ``/indicadores/tc[/dolar|/euro|/dolar/historico]``
                                                            Hacienda's public data (public_data.py)
``GET|PUT /_simulator/faults``, ``GET|PUT /_simulator/public-data``, ``GET /_simulator/stats``,
``GET /_simulator/certificate``,
``POST /_simulator/revoke-tokens``, ``GET /metrics``, ``GET /health``   control and monitoring

The control endpoints (``/_simulator/*``) answer only ``Authorization: Bearer <token>``
when the simulator has a control token (``--control-token-file``, what the deployments
use); without one (tests) they are open. ``/metrics`` and ``/health`` are always open.
"""

from __future__ import annotations

import base64
import hmac
import json
import logging
import math
import re
import signal
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote

from hacienda_cr.errors import ConfigurationError, InputError
from hacienda_cr.schemas import store_for
from hacienda_cr.signing.trust import load_trusted
from hacienda_cr.simulator import identity
from hacienda_cr.simulator.callbacks import CallbackSender
from hacienda_cr.simulator.config import SimulatorConfig, User
from hacienda_cr.simulator.faults import FaultInjector, Plan
from hacienda_cr.simulator.judge import Judge, Refusal, read_submission
from hacienda_cr.simulator.mensaje_hacienda import build_answer, detalle
from hacienda_cr.simulator.metrics import Metrics
from hacienda_cr.simulator.oidc import TokenIssuer
from hacienda_cr.simulator.public_data import PublicData, read_catalogue
from hacienda_cr.simulator.store import Record, Store

log = logging.getLogger("hacienda_cr.simulator")

TOKEN_PATH = re.compile(r"^/auth/realms/([^/]+)/protocol/openid-connect/token/?$")
API_PATH = re.compile(r"^(/recepcion(?:-sandbox)?/v1/)(recepcion|comprobantes)(?:/([^/]+))?/?$")
# Public data paths -> fault endpoint name (the faults' knobs) and PublicData method.
PUBLIC_PATHS = {
    "/fe/ae": ("taxpayer", "taxpayer"),
    "/fe/ex": ("exoneration", "exoneration"),
    "/fe/cabys": ("cabys", "cabys"),
    "/indicadores/tc": ("rates", "rates"),
    "/indicadores/tc/dolar": ("rates", "dollar"),
    "/indicadores/tc/euro": ("rates", "euro"),
    "/indicadores/tc/dolar/historico": ("rates", "dollar_history"),
}
# What a proxy in front of a failing service answers with a 200 (the "malformed" fault).
MALFORMED_PAGE = b"<html><head><title>Mantenimiento</title></head><body>Servicio en mantenimiento.</body></html>"


class Simulator:
    """Everything but HTTP: state, judging, tokens, faults, counters."""

    def __init__(self, config: SimulatorConfig):
        config.check()
        self.config = config
        self.schema_store = store_for(config.xsd_dir)
        trusted = []
        for path in config.trusted_ca_files:
            try:
                trusted.extend(load_trusted([path.read_bytes()]))
            except OSError as exc:
                raise ConfigurationError(f"trusted CA file {path}: {exc.strerror or exc}") from None
            except InputError as exc:
                raise ConfigurationError(f"trusted CA file {path}: {exc}") from None
        self.store = Store(config.db)
        self.key = identity.signing_key(self.store, config.signing_p12, config.signing_pin_file)
        self.tokens = TokenIssuer(
            identity.token_secret(self.store),
            config.token_ttl,
            config.refresh_token_ttl,
            float(self.store.meta("not_before") or 0),
        )
        self.faults = FaultInjector(config.faults, config.seed)
        self.metrics = Metrics()
        self.judge = Judge(self.schema_store, trusted)
        self.public = PublicData(self.store, read_catalogue(config.cabys_file) if config.cabys_file else None)
        if config.public_data is not None:
            self.public.update(_read_json(config.public_data))
        self.users = {u.username: u for u in config.users}
        self.names = {number: u.name for u in config.users if u.name for (_t, number) in u.taxpayers}
        self.callbacks = CallbackSender(
            self.store,
            self.metrics,
            self.status_body,
            attempts=config.callback_attempts,
            timeout=config.callback_timeout,
        )

    def start(self) -> None:
        self.callbacks.start()

    def close(self) -> None:
        self.callbacks.stop()
        if self.callbacks.is_alive():
            self.callbacks.join(timeout=5)
        self.store.close()

    def revoke_tokens(self) -> float:
        """Every token issued until now stops working (as Keycloak's not-before push)."""
        now = time.time()
        self.store.set_meta("not_before", repr(now))
        self.tokens.not_before = now
        return now

    def status_body(self, record: Record, now: float | None = None) -> dict:
        state = record.state(now)
        body = {"clave": record.clave, "fecha": record.fecha, "ind-estado": state}
        if state in ("aceptado", "rechazado"):
            body["respuesta-xml"] = base64.b64encode(record.respuesta_xml).decode("ascii")
        return body

    def stats(self) -> dict:
        return self.metrics.snapshot(self.store.state_counts(), self.store.totals())


def _read_json(path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigurationError(f"public data file {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise ConfigurationError(f"public data file {path}: not JSON ({exc})") from None


class _Dropped(Exception):
    """The connection was cut on purpose (a fault); nothing more to send."""

    def __init__(self, label: str):
        super().__init__(label)
        self.label = label


def _latin1(text: str) -> str:
    # Header values travel as ISO-8859-1: Spanish accents fit, typographic quotes do not.
    return text.replace("\n", " ").encode("latin-1", "replace").decode("latin-1")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: clients reuse connections as with Hacienda
    server_version = "hacienda-cr-simulator"
    sys_version = ""
    timeout = 60  # idle keep-alive connections are closed after this
    # Headers and body go out in two writes; with Nagle on, the second waits for the
    # client's delayed ACK (~40 ms per answer).
    disable_nagle_algorithm = True

    @property
    def sim(self) -> Simulator:
        return self.server.sim  # type: ignore[attr-defined]

    # -- plumbing ---------------------------------------------------------------------

    def handle(self) -> None:
        try:
            super().handle()
        except _Dropped:
            pass
        except (ConnectionError, TimeoutError):
            pass  # the client went away; nothing to answer

    def log_message(self, format: str, *args) -> None:
        if self.sim.config.access_log:
            log.info("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        started = time.monotonic()
        self._status = "none"
        self._responded = False
        endpoint = "unknown"
        try:
            body = self._read_body() if method in ("POST", "PUT") else b""
            if body is None:
                return
            path, _, query = self.path.partition("?")
            endpoint, action = self._route(method, path)
            action(body=body, query=query)
        except _Dropped as exc:
            self._status = exc.label
            raise
        except (ConnectionError, TimeoutError):
            self._status = "client_gone"
            raise
        except Exception:
            log.exception("internal error answering %s %s", method, self.path)
            if not self._responded:
                self._send(500, headers={"X-Error-Cause": "Error interno del simulador."})
        finally:
            self.sim.metrics.request(endpoint, method, self._status, time.monotonic() - started)

    def _read_body(self) -> bytes | None:
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            self._send(411, headers={"X-Error-Cause": "Se requiere Content-Length."})
            return None
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > self.sim.config.max_body_bytes:
            self.close_connection = True
            self._send(413 if length > 0 else 400, headers={"X-Error-Cause": "Content-Length inválido o demasiado grande."})
            return None
        return self.rfile.read(length) if length else b""

    def _route(self, method: str, path: str):
        m = TOKEN_PATH.match(path)
        if m:
            return "token", self._only(method, "POST", lambda **kw: self._token(m.group(1), **kw))
        m = API_PATH.match(path)
        if m:
            self._api_prefix = m.group(1)
            collection, item = m.group(2), m.group(3)
            if collection == "recepcion" and item is None:
                return "submit", self._only(method, "POST", self._submit)
            if collection == "recepcion":
                return "status", self._only(method, "GET", lambda **kw: self._status_of(item, **kw))
            return "comprobantes", self._only(method, "GET", lambda **kw: self._comprobantes(item, **kw))
        public = PUBLIC_PATHS.get(path.rstrip("/") or "/")
        if public:
            endpoint, answer = public
            return endpoint, self._only(method, "GET", lambda **kw: self._public(endpoint, answer, **kw))
        control = {
            ("/_simulator/faults", "GET"): self._faults_get,
            ("/_simulator/faults", "PUT"): self._faults_put,
            ("/_simulator/public-data", "GET"): lambda **kw: self._json(200, self.sim.public.snapshot()),
            ("/_simulator/public-data", "PUT"): self._public_data_put,
            ("/_simulator/stats", "GET"): lambda **kw: self._json(200, self.sim.stats()),
            ("/_simulator/certificate", "GET"): self._certificate,
            ("/_simulator/revoke-tokens", "POST"): lambda **kw: self._json(200, {"not_before": self.sim.revoke_tokens()}),
            ("/metrics", "GET"): self._metrics,
            ("/health", "GET"): self._health,
        }
        key = (path.rstrip("/") or "/", method)
        if key[0].startswith("/_simulator/") and not self._control_allowed():
            return "control", lambda **kw: self._send(401, headers={"WWW-Authenticate": 'Bearer realm="simulator control"'})
        if key in control:
            return ("metrics" if key[0] == "/metrics" else "control"), control[key]
        if any(p == key[0] for p, _m in control):
            return "control", lambda **kw: self._send(405)
        return "unknown", lambda **kw: self._json(404, {"error": f"no such path: {path}"})

    def _control_allowed(self) -> bool:
        token = self.sim.config.control_token
        if token is None:
            return True
        scheme, _, given = (self.headers.get("Authorization") or "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())

    def _only(self, method: str, allowed: str, action):
        if method == allowed:
            return action
        return lambda **kw: self._send(405, headers={"Allow": allowed})

    def _send(self, status: int, body: bytes = b"", *, content_type: str = "application/json", headers: dict | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, _latin1(str(value)))
        if body:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)
        self._status = str(status)
        self._responded = True

    def _json(self, status: int, data: object, headers: dict | None = None) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False).encode("utf-8"), headers=headers)

    def _cause(self, status: int, cause: str, headers: dict | None = None) -> None:
        self._send(status, headers={"X-Error-Cause": cause, **(headers or {})})

    # -- faults -----------------------------------------------------------------------

    def _fault_plan(self, endpoint: str) -> Plan:
        plan = self.sim.faults.draw(endpoint)
        if plan.latency:
            self.sim.metrics.count("faults", "latency")
            time.sleep(plan.latency)
        return plan

    def _fault_before(self, plan: Plan) -> bool:
        """Apply a fault that strikes before anything happens; True when it answered."""
        action = plan.action
        if action is None or action in ("reset_after", "timeout_after"):
            return False
        self.sim.metrics.count("faults", action)
        params = plan.params
        if action == "rate_limit":
            seconds = params["retry_after"]
            retry_after = str(int(seconds)) if seconds == math.floor(seconds) else f"{seconds:g}"
            self._cause(429, "Demasiadas solicitudes; intente más tarde.", {"Retry-After": retry_after})
        elif action in ("server_error", "token_outage"):
            self._cause(int(params["status"]), "Servicio no disponible temporalmente (falla simulada).")
        elif action == "unauthorized":
            self._send(401, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        elif action == "reset_before":
            self._reset()
        elif action == "timeout_before":
            self._hold(params["hold"])
        return True

    def _reset(self) -> None:
        """Abort the connection with a TCP RST (SO_LINGER 0), not an HTTP answer."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self._close_socket()
        raise _Dropped("reset")

    def _hold(self, seconds: float) -> None:
        """Say nothing for ``seconds`` (past the client's timeout), then hang up."""
        self.close_connection = True
        time.sleep(seconds)
        self._close_socket()
        raise _Dropped("timeout")

    def _close_socket(self) -> None:
        # The socket only really closes once the buffered reader/writer let go of it.
        for stream in (self.rfile, self.wfile):
            try:
                stream.close()
            except OSError:
                pass
        try:
            self.connection.close()
        except OSError:
            pass

    # -- identity ---------------------------------------------------------------------

    def _user(self) -> User | None:
        """The authenticated user, or None after answering 401."""
        auth = self.headers.get("Authorization") or ""
        scheme, _, token = auth.partition(" ")
        claims = self.sim.tokens.access_claims(token.strip()) if scheme.lower() == "bearer" else None
        user = self.sim.users.get(claims.get("sub")) if claims else None
        if user is None:
            self._send(401, headers={"WWW-Authenticate": 'Bearer realm="recepcion", error="invalid_token"'})
        return user

    def _token(self, realm: str, *, body: bytes, query: str) -> None:
        plan = self._fault_plan("token")
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        grant = form.get("grant_type", "")
        if self._fault_before(plan):
            self.sim.metrics.count("tokens", (grant or "none", "outage"))
            return
        sim = self.sim
        if realm not in sim.config.realms:
            self._json(404, {"error": "Realm does not exist"})
            return

        def refuse(status: int, error: str, description: str) -> None:
            sim.metrics.count("tokens", (grant or "none", "refused"))
            self._json(status, {"error": error, "error_description": description})

        client_id = form.get("client_id", "")
        if client_id != sim.config.realms[realm]:
            refuse(401, "invalid_client", "Invalid client or Invalid client credentials")
            return
        if grant == "password":
            user = sim.users.get(form.get("username", ""))
            if user is None or not hmac.compare_digest(user.password.encode(), form.get("password", "").encode()):
                refuse(401, "invalid_grant", "Invalid user credentials")
                return
        elif grant == "refresh_token":
            claims = sim.tokens.refresh_claims(form.get("refresh_token", ""), realm, client_id)
            user = sim.users.get(claims["sub"]) if claims else None
            if user is None:
                refuse(400, "invalid_grant", "Invalid refresh token")
                return
        else:
            refuse(400, "unsupported_grant_type", f"Unsupported grant_type {grant!r}")
            return
        issuer = f"{self._origin()}/auth/realms/{realm}"
        sim.metrics.count("tokens", (grant, "issued"))
        self._json(200, sim.tokens.issue(user.username, realm, client_id, issuer), {"Cache-Control": "no-store"})

    def _origin(self) -> str:
        proto = self.headers.get("X-Forwarded-Proto") or "http"
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        return f"{proto}://{host}"

    # -- reception --------------------------------------------------------------------

    def _submit(self, *, body: bytes, query: str) -> None:
        sim = self.sim
        plan = self._fault_plan("submit")
        if self._fault_before(plan):
            return
        user = self._user()
        if user is None:
            return
        try:
            sub = read_submission(body, user, schema_set=sim.config.schema_set)
        except Refusal as refusal:
            sim.metrics.count("gate_refusals", refusal.status)
            self._cause(refusal.status, refusal.cause)
            return
        if sim.store.exists(sub.resource):
            self._duplicate(sub.resource)
            return
        reasons = sim.judge.reasons(sub, force_reject=plan.reject)
        if plan.reject:
            sim.metrics.count("faults", "reject")
        answer = build_answer(sub, reasons, sim.key, sandbox_notice=sim.config.sandbox_notice, names=sim.names)
        now = time.time()
        delay = sim.config.processing_delay
        decision = "rechazado" if reasons else "aceptado"
        record = Record(
            resource=sub.resource,
            clave=sub.clave,
            consecutivo_receptor=sub.consecutivo_receptor,
            doc_type=sub.doc_type,
            emisor_tipo=sub.emisor[0],
            emisor_numero=sub.emisor[1],
            receptor_tipo=sub.receptor[0] if sub.receptor else None,
            receptor_numero=sub.receptor[1] if sub.receptor else None,
            fecha=sub.fecha,
            username=user.username,
            received_at=now,
            processing_at=now + delay / 3,
            ready_at=now + delay,
            visible_at=now + sim.config.status_visible_after,
            decision=decision,
            detalle=detalle(reasons, sandbox_notice=sim.config.sandbox_notice),
            respuesta_xml=answer,
            comprobante_xml=sub.xml,
            callback_url=sub.callback_url,
            callback_state="pending" if sub.callback_url else None,
        )
        if not sim.store.insert(record):  # the same clave raced in on another connection
            self._duplicate(sub.resource)
            return
        sim.metrics.count("decisions", decision)
        if sub.callback_url:
            sim.callbacks.notify()
        if plan.action in ("reset_after", "timeout_after"):
            sim.metrics.count("faults", plan.action)
            if plan.action == "reset_after":
                self._reset()
            self._hold(plan.params["hold"])
        location = f"{self._origin()}{self._api_prefix}recepcion/{quote(sub.resource)}"
        self._send(202, headers={"Location": location})

    def _duplicate(self, resource: str) -> None:
        self.sim.metrics.count("duplicates")
        self.sim.store.note_duplicate(resource)
        self._cause(400, f"El comprobante {resource} ya fue recibido anteriormente.")

    @staticmethod
    def _visible(record: Record | None) -> bool:
        """Known and past ``status_visible_after`` (Hacienda may 404 right after a 202)."""
        return record is not None and time.time() >= record.visible_at

    def _may_see(self, user: User, record: Record) -> bool:
        numbers = {number for _t, number in user.taxpayers}
        return record.username == user.username or bool(numbers & {record.emisor_numero, record.receptor_numero})

    def _status_of(self, resource: str, *, body: bytes, query: str) -> None:
        plan = self._fault_plan("status")
        if self._fault_before(plan):
            return
        user = self._user()
        if user is None:
            return
        record = self.sim.store.get(resource)
        if not self._visible(record):
            self._cause(404, f"El comprobante {resource} no ha sido recibido.")
            return
        if not self._may_see(user, record):
            self._cause(403, f"El usuario {user.username} no está autorizado para consultar el comprobante {resource}.")
            return
        self._json(200, self.sim.status_body(record))

    def _comprobantes(self, clave: str | None, *, body: bytes, query: str) -> None:
        plan = self._fault_plan("comprobantes")
        if self._fault_before(plan):
            return
        user = self._user()
        if user is None:
            return
        if clave is not None:
            record = self.sim.store.get(clave)
            if not self._visible(record) or not self._may_see(user, record):
                self._cause(404, f"El comprobante {clave} no existe.")
                return
            detail = {**self._summary(record), "comprobanteXml": base64.b64encode(record.comprobante_xml).decode("ascii")}
            status = self.sim.status_body(record)
            if "respuesta-xml" in status:
                detail["respuesta-xml"] = status["respuesta-xml"]
            self._json(200, detail)
            return
        params = {k: v[0] for k, v in parse_qs(query).items()}
        try:
            offset = int(params.get("offset", 0))
            limit = int(params.get("limit", 50))
        except ValueError:
            self._cause(400, "offset y limit deben ser números enteros.")
            return
        if offset < 0 or not 1 <= limit <= 100:
            self._cause(400, "offset debe ser >= 0 y limit entre 1 y 100.")
            return
        numbers = sorted({number for _t, number in user.taxpayers})
        total, records = self.sim.store.list_for(
            numbers, offset=offset, limit=limit, emisor=params.get("emisor"), receptor=params.get("receptor")
        )
        self._json(200, [self._summary(r) for r in records], {"X-Total-Count": str(total)})

    def _summary(self, record: Record) -> dict:
        out = {
            "clave": record.clave,
            "fecha": record.fecha,
            "emisor": {"tipoIdentificacion": record.emisor_tipo, "numeroIdentificacion": record.emisor_numero},
            "ind-estado": record.state(),
        }
        if record.receptor_numero:
            out["receptor"] = {"tipoIdentificacion": record.receptor_tipo, "numeroIdentificacion": record.receptor_numero}
        if record.consecutivo_receptor:
            out["consecutivoReceptor"] = record.consecutivo_receptor
        return out

    # -- public data ----------------------------------------------------------------

    def _public(self, endpoint: str, answer: str, *, body: bytes, query: str) -> None:
        plan = self._fault_plan(endpoint)
        if plan.action == "malformed":
            self.sim.metrics.count("faults", "malformed")
            self._send(200, MALFORMED_PAGE, content_type="text/html; charset=utf-8")
            return
        if self._fault_before(plan):
            return
        params = {k: v[0].strip() for k, v in parse_qs(query).items()}
        public = self.sim.public
        if answer == "cabys":
            status, data = public.cabys(params, self._origin())
        elif answer in ("taxpayer", "exoneration", "dollar_history"):
            status, data = getattr(public, answer)(params)
        else:
            status, data = getattr(public, answer)()
        self._json(status, data)

    def _public_data_put(self, *, body: bytes, query: str) -> None:
        self._put_json(body, self.sim.public.update)

    # -- control and monitoring -------------------------------------------------------

    def _faults_get(self, **kw) -> None:
        self._json(200, self.sim.faults.settings())

    def _faults_put(self, *, body: bytes, query: str) -> None:
        def apply(data) -> dict:
            self.sim.faults.update(data)
            return self.sim.faults.settings()

        self._put_json(body, apply)

    def _put_json(self, body: bytes, apply) -> None:
        """A control PUT: 200 with what ``apply(the JSON body)`` returns, 400 naming the problem."""
        try:
            result = apply(json.loads(body.decode("utf-8") or "{}"))
        except (UnicodeDecodeError, ValueError):
            self._json(400, {"error": "the body must be a JSON object"})
            return
        except ConfigurationError as exc:
            self._json(400, {"error": str(exc)})
            return
        self._json(200, result)

    def _certificate(self, **kw) -> None:
        self._send(200, identity.certificate_pem(self.sim.key), content_type="application/x-pem-file")

    def _metrics(self, **kw) -> None:
        text = self.sim.metrics.prometheus(self.sim.store.state_counts(), self.sim.store.totals())
        self._send(200, text.encode("utf-8"), content_type="text/plain; version=0.0.4; charset=utf-8")

    def _health(self, **kw) -> None:
        self._json(200, {"status": "ok", **self.sim.store.totals()})


class SimulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, sim: Simulator):
        self.sim = sim
        super().__init__((sim.config.host, sim.config.port), Handler)

    def handle_error(self, request, client_address) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, _Dropped)):
            return
        log.exception("error on the connection from %s", client_address)


def serve(config: SimulatorConfig, *, ready=None) -> None:
    """Run until SIGTERM/SIGINT. Prints ``listening on URL`` (port 0 picks a free one)."""
    sim = Simulator(config)
    try:
        server = SimulatorServer(sim)
    except OSError as exc:
        sim.close()
        raise ConfigurationError(f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc}") from None
    host, port = server.server_address[:2]
    url = f"http://{host}:{port}"

    def stop(signum, frame) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    sim.start()
    print(f"hacienda-cr simulator listening on {url}", flush=True)
    log.info("database %s, %d user(s), processing delay %.3g s", config.db, len(sim.users), config.processing_delay)
    if ready is not None:
        ready(url)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        sim.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
