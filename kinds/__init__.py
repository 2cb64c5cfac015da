"""The device kinds sitegw ships, one folder each: ``kinds/<kind>/`` holds the kind's declaration
(``kind.py``, which imports only the contract), its judge (``judge.py``) and rule modules, its device
profiles (``profiles/``), and a README. The registry (contract/kinds/registry.py) names each declaration
module; a kind folder is laid out as a plug-in's package is (docs/contributing/adding-a-kind.md).

The judges and rule modules are compiled with mypyc as the rules are (setup.py); this module is not, and
installs the same guard as ``rules/__init__.py`` (a kind module may be imported before the rules).
"""

from plumbing import compiled_guard

compiled_guard.install()
