"""`sitegw regulator ...`: the regulator's commands, imported only when one of them runs or its help is asked.

Every `sitegw` start builds the whole command tree; the regulator's commands import its server settings,
the forwarding outbox, the reports and SQLAlchemy (where the regulator extra is installed, 44 MB and half of
`sitegw check-config`'s start: docs/benchmarks.md). `sitegw run` or `sitegw check-config` needs none of
them, so the ``regulator`` group is a click group whose commands are looked up when click asks for them: `sitegw --help` names the group from its help
text alone, and `sitegw regulator ...` (its help included) loads them all, as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

import typer
from typer.core import TyperGroup

from sitegw.extras import REGULATOR_INSTALL, regulator_extra_missing

if TYPE_CHECKING:  # typer's own click (typer 0.29 carries it as typer._click)
    from typer._click.core import Command, Context

HELP = "The regulator's side: receive hazards from many sites."
# the commands an edge install lists, each saying how to get it, when the regulator extra is not installed
COMMANDS = (
    "serve",
    "add-project",
    "add-user",
    "unlock-user",
    "backup",
    "restore",
    "enrolment-code",
    "add-place",
    "monthly-report",
    "record",
    "add-city",
    "forwarding",
    "national-export",
    "video-set",
)


def _needs_regulator_extra() -> NoReturn:
    from sitegw.cli import _fail  # the CLI's one way of saying what went wrong

    _fail(f"the regulator's commands need the regulator extra: {REGULATOR_INSTALL}")


def _edge_commands(app: typer.Typer) -> None:
    """An edge install: the commands are listed, and say how to get them."""
    loose = {"allow_extra_args": True, "ignore_unknown_options": True}
    for name in COMMANDS:
        app.command(name, context_settings=loose, help=f"(needs {REGULATOR_INSTALL})")(_needs_regulator_extra)


def _regulator_commands(app: typer.Typer) -> None:
    """The regulator's commands, from their modules (ModuleNotFoundError without the regulator extra)."""
    from regulator.backup_cli import backup, restore
    from regulator.cli import (
        add_place,
        add_project,
        add_record,
        add_user,
        enrolment_code,
        monthly_report,
        serve,
        unlock_user,
    )
    from regulator.commands.cities import add_city
    from regulator.commands.national_export import national_export
    from regulator.commands.quarantine import forwarding_app
    from regulator.commands.video_set import video_set_app

    app.command("serve")(serve)
    app.command("add-project")(add_project)
    app.command("add-user")(add_user)
    app.command("unlock-user")(unlock_user)
    app.command("backup")(backup)
    app.command("restore")(restore)
    app.command("enrolment-code")(enrolment_code)
    app.command("add-place")(add_place)
    app.command("monthly-report")(monthly_report)
    app.command("record")(add_record)
    app.command("add-city")(add_city)
    app.add_typer(forwarding_app, name="forwarding")
    app.command("national-export")(national_export)
    app.add_typer(video_set_app, name="video-set")


def load_commands() -> TyperGroup:
    """The regulator's commands as click builds them from their Typer apps."""
    app = typer.Typer(help=HELP, no_args_is_help=True)
    try:
        _regulator_commands(app)
    except ModuleNotFoundError as exc:
        if not regulator_extra_missing(exc):
            raise
        app = typer.Typer(help=HELP, no_args_is_help=True)
        _edge_commands(app)
    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)  # more than one command: Typer builds a group
    return group


class RegulatorGroup(TyperGroup):
    """The ``regulator`` group: its commands loaded at the first lookup (a command run, or the group's help)."""

    _loaded: TyperGroup | None = None

    def _commands(self) -> TyperGroup:
        if self._loaded is None:
            self._loaded = load_commands()
        return self._loaded

    def list_commands(self, ctx: Context) -> list[str]:
        return self._commands().list_commands(ctx)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        return self._commands().get_command(ctx, cmd_name)


regulator_app = typer.Typer(cls=RegulatorGroup, help=HELP, no_args_is_help=True)
