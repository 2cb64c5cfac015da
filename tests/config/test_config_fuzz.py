"""Config parsing under hostile input (issue #19): random mutations of the reference site file.

Whatever an editor, a bad merge or a careless copy does to site.yaml (lines deleted, repeated,
swapped or re-indented, values replaced by YAML's odd corners: tags, anchors, aliases, NaN,
unset ${VARS}, the file cut short), checking it the way `sitegw check-config` and `sitegw run`
do either succeeds or raises ConfigError whose every issue names the site file and a line:
never another exception, never a bare traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config import EXAMPLE_SITE
from contract.config.errors import ConfigError
from contract.config.loader import load_site
from drivers.mqtt.driver import site_decoders
from rules import RuleEngine
from tests.hostile.gateway import sitegw

REPO = Path(__file__).resolve().parents[2]
LINES = EXAMPLE_SITE.read_text(encoding="utf-8").splitlines()
# values that reach YAML's and the loader's corners
NASTY = [
    "[",
    "{",
    "]",
    "}",
    "'",
    '"',
    "&a [*a]",
    "*nowhere",
    "&x 1",
    "!!python/object:os.system ls",
    "!!binary not-base64!",
    "!!int twelve",
    "!!float x",
    "!!timestamp 2026-13-45",
    "!custom tag",
    "? [a, b]",
    "{[a, b]: 1}",
    "{? {a: 1}: 2}",
    ".nan",
    ".inf",
    "-.inf",
    "1e999",
    "-1",
    "0",
    "0x10",
    "~",
    "null",
    "yes",
    "2026-02-30",
    "${SITEGW_FUZZ_UNSET}",
    "${SITEGW_FUZZ_SET}",
    "${SITEGW_FUZZ_SET:-}",
    "${",
    "\t",
    "- a",
    "a: b: c",
    "x" * 300,
    "[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]",
    "深圳",
    "sitegw/+/pit",
    "#",
    "{type: mqtt, broker: site, topic_prefix: a/#}",
    "|",
    ">-",
    "%YAML 1.1",
    "---",
    "...",
]
# the set variable holds YAML that does not parse as a value
ENV = {"SITEGW_FUZZ_SET": "[unclosed: {", "SITEGW_MQTT_HOST": "127.0.0.1"}


def _replace_value(line: str, new: str) -> str:
    head, sep, _ = line.partition(": ")
    return f"{head}{sep}{new}" if sep else new


MUTATIONS = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, len(LINES) - 1), st.none()),
    st.tuples(st.just("repeat"), st.integers(0, len(LINES) - 1), st.none()),
    st.tuples(st.just("swap"), st.integers(0, len(LINES) - 1), st.integers(0, len(LINES) - 1)),
    st.tuples(st.just("indent"), st.integers(0, len(LINES) - 1), st.integers(-4, 4)),
    st.tuples(st.just("value"), st.integers(0, len(LINES) - 1), st.sampled_from(NASTY)),
    st.tuples(st.just("value"), st.integers(0, len(LINES) - 1), st.text(max_size=12)),
    st.tuples(st.just("insert"), st.integers(0, len(LINES)), st.sampled_from(NASTY)),
    st.tuples(st.just("cut"), st.integers(0, len(LINES) - 1), st.none()),
)


def mutate(lines: list[str], how: tuple[str, int, object]) -> list[str]:
    kind, i, arg = how
    out = list(lines)
    if kind == "delete":
        del out[i]
    elif kind == "repeat":
        out.insert(i, out[i])
    elif kind == "swap":
        j = int(arg)  # type: ignore[call-overload]
        out[i], out[j] = out[j], out[i]
    elif kind == "indent":
        shift = int(arg)  # type: ignore[call-overload]
        out[i] = (
            " " * shift + out[i] if shift > 0 else out[i][-shift:] if out[i][:-shift].isspace() else out[i]
        )
    elif kind == "value":
        out[i] = _replace_value(out[i], str(arg))
    elif kind == "insert":
        out.insert(i, str(arg))
    elif kind == "cut":
        out = out[:i]
    return out


def check_site(path: Path) -> None:
    """What `sitegw check-config` and `sitegw run` check before anything starts."""
    site = load_site(path, ENV)
    RuleEngine(site)
    site_decoders(site)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutations=st.lists(MUTATIONS, min_size=1, max_size=4))
def test_any_mutation_of_the_site_loads_or_fails_naming_the_line(
    tmp_path_factory: pytest.TempPathFactory, mutations: list[tuple[str, int, object]]
) -> None:
    lines = LINES
    for how in mutations:
        if not lines:
            break
        how = (how[0], min(how[1], max(0, len(lines) - 1)), how[2])
        if how[0] == "swap":
            how = (how[0], how[1], min(int(how[2]), len(lines) - 1))  # type: ignore[call-overload]
        lines = mutate(lines, how)
    path = tmp_path_factory.mktemp("site") / "site.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        check_site(path)
    except ConfigError as exc:
        assert exc.issues, "a ConfigError lists its issues"
        # lines as an editor (and YAML) counts them: a lone carriage return a mutation put in a value
        # breaks the line there too
        shown = len(path.read_text(encoding="utf-8").splitlines())
        for issue in exc.issues:
            if issue.file == path:
                assert issue.line is not None and 1 <= issue.line <= shown + 1, (
                    f"{issue} names no line of the site file"
                )
            assert issue.message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("&a [*a]", "refers to itself"),
        ("!!python/object:os.system ls", "tag"),
        ("{[a, b]: 1}", "key"),
        ("!!int twelve", "cannot read"),
        ("[" * 100 + "]" * 100, "nested"),
    ],
)
def test_odd_yaml_is_a_config_error_naming_the_line(tmp_path: Path, value: str, expected: str) -> None:
    check_line_of(tmp_path, "district:", value, expected)


def test_a_topic_prefix_with_wildcards_is_refused_at_its_line(tmp_path: Path) -> None:
    check_line_of(
        tmp_path,
        "transport: {type: mqtt, broker: site, topic_prefix: sitegw/GD-SZ-2026-0001/pit-1}",
        "{type: mqtt, broker: site, topic_prefix: sitegw/#/pit-1}",
        "no #",
    )


def check_line_of(tmp_path: Path, line_start: str, value: str, expected: str) -> None:
    """The site with the first line starting ``line_start`` given ``value``: an error at that line."""
    i = next(n for n, line in enumerate(LINES) if line.strip().startswith(line_start))
    path = tmp_path / "site.yaml"
    key = line_start.split(":")[0]
    indent = LINES[i][: len(LINES[i]) - len(LINES[i].lstrip())]
    path.write_text(
        "\n".join([*LINES[:i], f"{indent}{key}: {value}", *LINES[i + 1 :]]) + "\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError) as caught:
        check_site(path)
    [issue] = [x for x in caught.value.issues if expected in str(x)]
    assert issue.line == i + 1, str(caught.value)


def test_aliases_that_expand_without_end_are_refused_quickly(tmp_path: Path) -> None:
    # "billion laughs": 8 levels of 10 aliases each would be 10**8 values
    laughs = ["laughs:", "  l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    laughs += [f"  l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]" for n in range(1, 9)]
    path = tmp_path / "site.yaml"
    path.write_text("\n".join([*LINES, *laughs]) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="aliases expand to more than") as caught:
        check_site(path)
    assert all(i.line for i in caught.value.issues)


@pytest.mark.parametrize("secret", ["0123456", "[unclosed: {", "a: b", "true", "1883"])
def test_a_secret_from_the_environment_arrives_as_written(tmp_path: Path, secret: str) -> None:
    path = tmp_path / "site.yaml"
    path.write_text(EXAMPLE_SITE.read_text(encoding="utf-8"), encoding="utf-8")
    site = load_site(path, {"SITEGW_MQTT_PASSWORD": secret, "SITEGW_MQTT_PORT": "1884"})
    assert site.config.mqtt_brokers["site"].password == secret
    assert site.config.mqtt_brokers["site"].port == 1884  # a number field still gets a number


def test_check_config_prints_the_error_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "site.yaml"
    path.write_text(EXAMPLE_SITE.read_text(encoding="utf-8").replace("district: 南山区", "district: &a [*a]"))
    done = sitegw("check-config", str(path), expect=1)
    assert "Traceback" not in done.stderr and f"{path}:" in done.stderr, done.stderr
