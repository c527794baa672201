"""Django's SQLite backend, creating the database file's folder before it opens the file."""
