"""The `sitegw` commands a running gateway never uses, each built (its module imported) only when asked for.

`sitegw run` holds every module it imported for as long as it runs, on an edge box that shares 1-2 GB with
the camera software (issue #55). Registered at import, the simulators (pymodbus's server side), the users'
password hashing (argon2), the backup's tar files, the vision and the regulator's commands were 4 MB of the
gateway's memory that no site uses while it runs. The root command knows these by name (:data:`COMMANDS`)
and builds one when it is invoked, or when the help lists them all.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import typer
from typer import (
    _click as click,
)  # typer bundles its own click (pyproject: typer>=0.29); TyperGroup takes its types
from typer.core import TyperGroup

from sitegw.extras import REGULATOR_INSTALL, regulator_extra_missing


class LazyCommands(TyperGroup):
    """The root command: its own commands, then :data:`COMMANDS`, each built on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*super().list_commands(ctx), *(name for name in COMMANDS if name not in self.commands)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            command = COMMANDS[cmd_name]()
            command.name = cmd_name
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from sitegw.simulate_device_cli import app_help  # every kind this sitegw knows: the registry

        self.help = app_help()
        super().format_help(ctx, formatter)


def _command(module: str, function: str) -> Callable[[], click.Command]:
    """A lazy command: ``function`` of ``module``, imported when the command is built."""

    def build() -> click.Command:
        one = typer.Typer()
        one.command()(getattr(importlib.import_module(module), function))
        return typer.main.get_command(one)

    return build


def _group(load: Callable[[], typer.Typer]) -> Callable[[], click.Command]:
    """A lazy group of commands: ``load`` imports its Typer."""

    def build() -> click.Command:
        return typer.main.get_group(load())

    return build


def _typer(module: str, name: str) -> Callable[[], typer.Typer]:
    """The Typer ``name`` of ``module``, imported when asked for."""

    def load() -> typer.Typer:
        app: typer.Typer = getattr(importlib.import_module(module), name)
        return app

    return load


def _simulate() -> typer.Typer:
    from contract.kinds import registry
    from sitegw.simulate_device_cli import command_of, simulate_device, simulate_help, simulate_kind
    from sitegw.simulate_modbus_cli import anemometer, crane, hoist, logger
    from sitegw.simulate_mqtt_cli import simulate_formwork, simulate_gate, simulate_pit

    app = typer.Typer(no_args_is_help=True, help=simulate_help())
    app.command("crane")(crane)
    app.command("hoist")(hoist)
    app.command("anemometer")(anemometer)
    app.command("logger")(logger)
    app.command("pit")(simulate_pit)
    app.command("formwork")(simulate_formwork)
    app.command("gate")(simulate_gate)
    app.command("device")(simulate_device)
    named = {c.name for c in app.registered_commands}
    for kind in registry.kinds():  # every other kind with a simulator, a plug-in's too: the generic one
        if kind.simulator and command_of(kind) not in named:
            app.command(
                kind.name,
                help=f"Simulate a {kind.en} ({kind.zh}) of a site file: {', '.join(kind.scenarios)}.",
            )(simulate_kind(kind.name))
    return app


def _vision() -> typer.Typer:
    from vision.cli import detect, evaluate

    app = typer.Typer(help="Video checks: hard hats, danger zones, edge protection.", no_args_is_help=True)
    app.command("detect")(detect)
    app.command("eval")(evaluate)
    return app


_REGULATOR_COMMANDS = (
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
    "video-set",
    "national-export",
)


def _needs_regulator_extra() -> None:
    from sitegw.cli import _fail

    _fail(f"the regulator's commands need the regulator extra: {REGULATOR_INSTALL}")


def _regulator() -> typer.Typer:
    app = typer.Typer(help="The regulator's side: receive hazards from many sites.", no_args_is_help=True)
    try:
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
    except ModuleNotFoundError as exc:
        if not regulator_extra_missing(exc):
            raise
        # an edge install: the commands are listed, and say how to get them
        loose = {"allow_extra_args": True, "ignore_unknown_options": True}
        for name in _REGULATOR_COMMANDS:
            app.command(name, context_settings=loose, help=f"(needs {REGULATOR_INSTALL})")(
                _needs_regulator_extra
            )
        return app
    for name, command in (
        ("serve", serve),
        ("add-project", add_project),
        ("add-user", add_user),
        ("unlock-user", unlock_user),
        ("backup", backup),
        ("restore", restore),
        ("enrolment-code", enrolment_code),
        ("add-place", add_place),
        ("monthly-report", monthly_report),
        ("record", add_record),
        ("add-city", add_city),
        ("national-export", national_export),
    ):
        app.command(name)(command)
    app.add_typer(forwarding_app, name="forwarding")
    app.add_typer(video_set_app, name="video-set")
    return app


# in the order the help lists them, after check-config, run and demo
COMMANDS: dict[str, Callable[[], click.Command]] = {
    "kinds": _command("sitegw.simulate_device_cli", "list_kinds"),
    "replay": _command("sitegw.replay_cli", "replay_command"),
    "events": _command("sitegw.events_cli", "events"),
    "redeliver": _command("sitegw.events_cli", "redeliver"),
    "backup": _command("sitegw.backup_cli", "backup"),
    "restore": _command("sitegw.backup_cli", "restore"),
    "simulate": _group(_simulate),
    "regulator": _group(_regulator),
    "vision": _group(_vision),
    "users": _group(_typer("sitegw.users_cli", "users_app")),
    "pour": _group(_typer("sitegw.window_cli", "pour_app")),
    "jacking": _group(_typer("sitegw.window_cli", "jacking_app")),
    "install": _group(_typer("sitegw.window_cli", "install_app")),
    "warning": _group(_typer("sitegw.warning_cli", "warning_app")),
    "hot-work": _group(_typer("sitegw.hot_work_cli", "hot_work_app")),
}
