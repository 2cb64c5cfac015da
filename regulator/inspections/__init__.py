"""The authority's year (issue 53 §1–2): what a housing authority must inspect, and whether it did.

- plans.py: inspection plans (a 全覆盖 round with its deadline, a 一月一主题 theme with its checklist, a
  双随机 draw), the projects each must reach (by jurisdiction) and the inspection records that cover them;
- themes.py: the monthly themes and their checklists, each item with the article it comes from;
- coverage.py: a plan's coverage per district and per inspector (done, due, overdue; the unseen first)
  beside the grading's key-risk projects and their monthly inspection duty; coverage_export.py as XLSX;
- draw.py: the 双随机 draw itself, a pure function of the pools and a seed (the same seed and pools give
  the same draw); draws.py: the pools, recusals, the recorded draws (who, when, which pools, the seed),
  their check against the seed, and publication on the public page.

Everything reads projects through ``Repository.scoped(actor)``: an inspector sees only the plans and
projects of their jurisdiction; project users have no part in it (403).
"""
