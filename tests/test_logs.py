"""The edge box's log lines: one handler, to the stderr of the moment, with library chatter kept down."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator

import pytest

from sitegw.logs import setup_logging


@pytest.fixture
def root_logger() -> Iterator[logging.Logger]:
    """The root logger as it was, restored afterwards, so this test's set-up does not leak into others."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    root.handlers = [h for h in handlers if type(h).__module__ != "sitegw.logs"]
    yield root
    root.handlers, root.level = handlers, level


def test_a_record_after_the_setup_stream_closed_is_a_line_not_a_logging_error(
    root_logger: logging.Logger, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A command run inside another (CliRunner, an embedding service) sets logging up while stderr is a
    # captured stream that is closed afterwards; the next record must still be a plain line on stderr.
    first = io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    setup_logging("INFO")
    setup_logging("INFO")  # a second command in the same process adds no second handler
    logging.getLogger("regulator.test").info("first record")
    first.close()
    later = io.StringIO()
    monkeypatch.setattr(sys, "stderr", later)
    logging.getLogger("regulator.test").info("second record")
    logging.getLogger("botocore.credentials").info("Found credentials in environment variables.")
    text = later.getvalue()
    assert "Logging error" not in text and "Traceback" not in text
    assert text.count("second record") == 1 and "INFO regulator.test: second record" in text
    assert "Found credentials" not in text  # boto's credential lookup is chatter below WARNING


def test_an_unknown_level_names_the_choices(root_logger: logging.Logger) -> None:
    with pytest.raises(ValueError, match="use DEBUG, INFO, WARNING or ERROR"):
        setup_logging("LOUD")
