"""The application shell: the ``sitegw`` command, the running gateway (drivers, rules, vision and the
gateway's services wired together), the demo, replay and the rules' warm-up from the local store."""

import sys

# httpx's __init__ imports its own command-line client (httpx._main: rich's syntax highlighting with pygments,
# and click) whenever those are installed, and on every install they are, for the `sitegw` command line: 1.4 MB
# that no sitegw process uses, held by a gateway for as long as it runs (issue #55). Marked absent, httpx
# defines a stub ``httpx.main`` in its place; every sitegw process imports this package before httpx.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
