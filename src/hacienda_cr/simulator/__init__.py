"""A local Hacienda: IDP tokens, reception API, judging, signed answers, fault injection.

Run it with ``hacienda-cr simulator``; see docs/simulator.md. ``Simulator`` is the
application without HTTP, ``serve`` runs it, ``SimulatorProcess`` starts it as a child
process for tests and benchmarks.
"""

from hacienda_cr.simulator.config import SimulatorConfig, User, taxpayer_from_username
from hacienda_cr.simulator.process import SimulatorProcess
from hacienda_cr.simulator.server import Simulator, serve

__all__ = ["Simulator", "SimulatorConfig", "SimulatorProcess", "User", "serve", "taxpayer_from_username"]
