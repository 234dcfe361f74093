"""The catalog: SQLite schema, migrations, audit log and the services that read and write items."""
