"""What every part of sitegw agrees on, and the only code the gateway and the regulator share.

Readings and their qualities, the bus that carries them, alert levels and the AlertEvent, the regulator's
wire messages and their signature, the site file's configuration models (with the built-in device
profiles and the example site), and the in-process HTTP server both sides run. Nothing here imports
any other package of this project: everything else stands on it.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sitegw")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
