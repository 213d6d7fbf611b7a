"""Database plumbing: engines and sessions, migrations, the JSON codec, bulk inserts, SQLite's
WAL checkpoints and writer lock. Nothing here knows about records or forms."""
