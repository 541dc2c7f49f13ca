"""Use cases: the only way data is written (validation, permission, audit happen here)."""
