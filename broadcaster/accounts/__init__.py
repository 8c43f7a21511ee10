"""People and integrations: accounts, log-in sessions, API keys, the audit trail."""
