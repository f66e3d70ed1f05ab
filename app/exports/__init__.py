"""Documents produced from data already loaded: rows in, bytes or streams out, no queries."""
