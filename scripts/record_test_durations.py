"""Write tests/durations.json, each test file's seconds, from the JUnit XML of a `make test` run and of a
`make test-long` run: `make test PYTEST_ARGS=--junitxml=/tmp/test.xml`, `make test-long
PYTEST_ARGS=--junitxml=/tmp/long.xml`, then `python scripts/record_test_durations.py /tmp/test.xml /tmp/long.xml`.

make test and make test-long hand their files to the workers longest first by these seconds
(tests/longest_first.py). A test's time in the XML is its setup, call and teardown, so a module's fixtures count to
their file; a file with tests in both runs is reckoned at the sum of its two parts."""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "tests" / "durations.json"


def per_file(junit_xml: Path) -> dict[str, float]:
    """Seconds per test file (its path from the repository's root) in ``junit_xml``."""
    seconds: defaultdict[str, float] = defaultdict(float)
    for case in ET.parse(junit_xml).iter("testcase"):
        if not case.get("classname"):
            continue  # a module skipped as it was collected (its name in ``name``): no time of its own
        # classname is the test's module, dotted (tests.api.test_rest), then its class if any
        module = [part for part in case.get("classname", "").split(".") if not part[:1].isupper()]
        seconds["/".join(module) + ".py"] += float(case.get("time", "0"))
    root = OUT.parents[1]
    missing = [name for name in seconds if not (root / name).is_file()]
    assert not missing, f"no such test files (a class name read as a module?): {missing}"
    return {name: round(s, 1) for name, s in sorted(seconds.items(), key=lambda kv: -kv[1])}


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(
            "usage: python scripts/record_test_durations.py RUN.xml [RUN.xml ...] (make test and make test-long "
            "with PYTEST_ARGS=--junitxml=RUN.xml)"
        )
    seconds: defaultdict[str, float] = defaultdict(float)
    for run in sys.argv[1:]:
        for name, s in per_file(Path(run)).items():
            seconds[name] += s
    ordered = {name: round(s, 1) for name, s in sorted(seconds.items(), key=lambda kv: -kv[1])}
    OUT.write_text(json.dumps(ordered, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(ordered)} files, {sum(ordered.values()):.0f} s in all")


if __name__ == "__main__":
    main()
