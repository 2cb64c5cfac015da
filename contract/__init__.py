"""What every part of sitegw agrees on, and the only code the gateway and the regulator share.

Readings and their qualities, the bus that carries them, alert levels and the AlertEvent, the regulator's
wire messages and their signature, the site file's configuration models (with the built-in device
profiles and the example site), and the in-process HTTP server both sides run. Nothing here imports
any other package of this project: everything else stands on it.
"""

# sitegw's release (PEP 440), written here and nowhere else: pyproject.toml reads it from this line when the
# wheel is built, and `sitegw --version`, the gateway's heartbeat and health, and the regulator's /healthz read
# it at run time. A literal, not git's tags: the image's build stage has no .git and a CI clone may be shallow
# or tagless, yet both must know the release; an editable install's metadata would go stale at the next bump.
# Releasing: docs/releases.md.
__version__ = "0.3.0"
