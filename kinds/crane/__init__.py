"""The tower crane (塔式起重机): its declaration, judge, rules and profile (kinds/crane/README.md)."""
