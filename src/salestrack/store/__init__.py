"""The store: tables, repositories, unit of work, migrations and the bulk load path."""
