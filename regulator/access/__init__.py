"""Who may do what: users and their sign-in (password rules, second factor, the audit trail), jurisdictions and the scope filter between a user and the ledger."""
