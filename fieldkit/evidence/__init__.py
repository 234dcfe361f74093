"""Photos as evidence: content-addressed, read-only originals, hashed at ingest, and their verification."""
