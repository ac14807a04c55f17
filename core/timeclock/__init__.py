"""Services over the time clock's records: rules, queries, edits and CSV import."""
