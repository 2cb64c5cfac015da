"""``sitegw regulator serve``'s options and the settings its worker processes build their app from are
one model (regulator/serve_settings.py): every setting is an option with its help, range, default and
environment variable, what is given on the command line or in the environment is what the workers get,
and its reference page is generated from it."""

from __future__ import annotations

import os
from typing import Any

import pytest
import typer
from pydantic.fields import FieldInfo
from typer.testing import CliRunner

from plumbing.model_options import bounds_of, envvar_of, flag_of, options_from
from regulator.serve_settings import ENV, ServeSettings
from sitegw.cli import app

WIDE = {"COLUMNS": "1000"}  # rich wraps at the terminal's width: one line per option


def option_lines(help_text: str) -> dict[str, str]:
    """Each option's line of ``--help``, by its first spelling."""
    lines: dict[str, str] = {}
    for line in help_text.splitlines():
        words = line.strip("│ ").split()
        if words and words[0].startswith("--"):
            lines[words[0]] = line
    return lines


def test_serve_help_shows_every_setting_with_its_description_default_and_environment() -> None:
    result = CliRunner().invoke(app, ["regulator", "serve", "--help"], env=WIDE)
    assert result.exit_code == 0, result.output
    lines = option_lines(result.output)
    for name, field in ServeSettings.model_fields.items():
        flag = flag_of(name, field).split("/")[0]
        assert flag in lines, f"{name}: no {flag} in serve --help"
        line = lines[flag]
        assert field.title and field.description, f"{name}: every setting has a title and a description"
        assert field.description in line, (name, line)
        envvar = envvar_of(field)
        if envvar:
            assert f"[env var: {envvar}]" in line, (name, line)
        if not isinstance(field.default, bool) and field.default not in (None, ""):
            assert f"[default: {field.default}]" in line, (name, line)
    assert set(lines) - {"--help"} == {
        flag_of(n, f).split("/")[0] for n, f in ServeSettings.model_fields.items()
    }


def test_a_setting_out_of_its_range_is_refused_by_serve_naming_the_range() -> None:
    result = CliRunner().invoke(app, ["regulator", "serve", "--workers", "65"], env=WIDE)
    assert result.exit_code == 2
    said = " ".join(line.strip("─│╭╮╯╰ ") for line in result.output.splitlines())
    assert "Invalid value for '--workers': Input should be less than or equal to 64" in said


def other_value(field: FieldInfo) -> Any:
    """A value of the field unlike its default and within its bounds."""
    default = field.default
    if field.annotation == bool | None:
        return True
    if isinstance(default, bool):
        return not default
    if isinstance(default, int | float):
        low, high = bounds_of(field)
        value = default + 1 if high is None or default + 1 <= high else default - 1
        return max(value, low) if low is not None else value
    return f"given-{field.title}"


def as_arguments(values: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """The command line and the environment that give ``values``: by environment variable where the
    setting has one, else by option."""
    argv: list[str] = []
    env: dict[str, str] = {}
    for name, value in values.items():
        field = ServeSettings.model_fields[name]
        flag = flag_of(name, field)
        if envvar_of(field):
            env[str(envvar_of(field))] = str(value)
        elif isinstance(value, bool):
            on, _, off = flag.partition("/")
            argv.append(on if value else off)
        else:
            argv += [flag, str(value)]
    return argv, env


def test_options_and_environment_give_the_settings_the_workers_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each setting changed from its default, on the command line or in the environment, reaches the
    settings, and the worker processes read back the same (but the forwarding secret, which they must
    not be handed: forwarding runs in one process)."""
    given: list[ServeSettings] = []
    command = typer.Typer()
    command.command()(options_from(ServeSettings)(given.append))
    values = {name: other_value(field) for name, field in ServeSettings.model_fields.items()}
    argv, env = as_arguments(values)
    result = CliRunner().invoke(command, argv, env=env)
    assert result.exit_code == 0, result.output
    assert given == [ServeSettings(**values)]
    assert all(getattr(given[0], name) != field.default for name, field in ServeSettings.model_fields.items())

    monkeypatch.setenv(ENV, "")  # put back as it was after the test
    given[0].export()
    in_worker = ServeSettings.from_env()
    assert in_worker == given[0].model_copy(update={"forward_secret": ""})
    assert given[0].forward_secret not in os.environ[ENV]
