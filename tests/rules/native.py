"""Whether the rules this test run imported are the compiled ones (``make native``, setup.py)."""

import importlib.machinery

import rules.engine

COMPILED = rules.engine.__file__ is not None and rules.engine.__file__.endswith(
    tuple(importlib.machinery.EXTENSION_SUFFIXES)
)
