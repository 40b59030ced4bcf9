"""Local servers that speak the providers' real wire protocols (see server.Sandbox)."""

from framecast.sandbox.server import Sandbox
from framecast.sandbox.state import Fault

__all__ = ["Sandbox", "Fault"]
