"""Who may sign in, and as whom: users and their sign-in (``auth.Accounts``: passwords, roles, lockout), the
password rules (``passwords``), the second factor (``second_factor``) and the audit trail of sign-ins
(``auth_log``). Its floor: above storage, whose places tree (storage/jurisdictions.py) and scoped connection
(storage/scope.py) say what a signed-in user sees (docs/architecture.md, "The regulator's floors")."""
