"""The site's daily safety log (施工安全日志, standards.md §14) and its key people's attendance (§7)."""
