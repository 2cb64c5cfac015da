"""The 双随机 draw itself (随机抽取检查对象、随机选派执法检查人员): a pure function of the pools and a seed, so
anyone holding the recorded pools and seed can draw again and get the same projects and inspectors.

Projects are drawn from the project pool; for each, in the order drawn, ``per_project`` inspectors from
those of the inspector pool who may inspect it: their jurisdiction holds the project, and no recusal of
theirs names the project (a past role on it) or its company (the contractor).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from regulator.inspections.plans import within


@dataclass(frozen=True, slots=True)
class Inspector:
    """An inspector of the pool and their jurisdiction's path ('' : everywhere)."""

    name: str
    place: str


@dataclass(frozen=True, slots=True)
class Candidate:
    """A project of the pool: its company (contractor) and district's path."""

    code: str
    company: str
    district: str


@dataclass(frozen=True, slots=True)
class Recusal:
    """An inspector who must not inspect a project, or any project of a company."""

    inspector: str
    project: str | None = None
    company: str | None = None


class DrawError(ValueError):
    """A draw that cannot be made from these pools; the message says why and what to change."""


@dataclass(frozen=True, slots=True)
class Pools:
    """What a draw draws from, as recorded with it."""

    inspectors: tuple[Inspector, ...]
    projects: tuple[Candidate, ...]
    recusals: tuple[Recusal, ...]

    def recused(self) -> dict[str, tuple[set[str], set[str]]]:
        """Each recused inspector's barred projects and companies (looked up once per draw, not per pair)."""
        found: dict[str, tuple[set[str], set[str]]] = {}
        for r in self.recusals:
            projects, companies = found.setdefault(r.inspector, (set(), set()))
            if r.project:
                projects.add(r.project)
            if r.company:
                companies.add(r.company)
        return found

    def eligible(self, project: Candidate, recused: dict[str, tuple[set[str], set[str]]]) -> list[str]:
        """The inspectors who may inspect ``project``, by name; ``recused``: ``self.recused()``."""
        none: tuple[set[str], set[str]] = (set(), set())
        return sorted(
            i.name
            for i in self.inspectors
            if within(project.district, i.place)
            and project.code not in recused.get(i.name, none)[0]
            and project.company not in recused.get(i.name, none)[1]
        )


def draw(pools: Pools, seed: str, projects: int, per_project: int) -> list[tuple[str, list[str]]]:
    """``projects`` projects drawn from the pool with ``seed``, each with ``per_project`` inspectors, in the
    order drawn; DrawError when the pool holds too few projects or a drawn one too few eligible inspectors."""
    if projects < 1 or per_project < 1:
        raise DrawError("draw at least one project and one inspector for each")
    if projects > len(pools.projects):
        raise DrawError(
            f"the project pool holds {len(pools.projects)} projects, fewer than the {projects} to draw: "
            "draw fewer or add projects to the pool"
        )
    rng = random.Random(seed)
    ordered = sorted(pools.projects, key=lambda p: p.code)
    recused = pools.recused()
    drawn = []
    for project in rng.sample(ordered, projects):
        eligible = pools.eligible(project, recused)
        if len(eligible) < per_project:
            raise DrawError(
                f"project {project.code} has {len(eligible)} eligible inspectors (their jurisdiction holds it, "
                f"none recused), fewer than the {per_project} to draw: add inspectors to the pool"
            )
        drawn.append((project.code, sorted(rng.sample(eligible, per_project))))
    return drawn
