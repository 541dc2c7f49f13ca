"""Analytics: the store copied into DuckDB, metrics defined once in Ibis, insights on top."""
