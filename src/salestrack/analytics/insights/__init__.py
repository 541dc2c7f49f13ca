"""Insights: statistics with honest uncertainty on small frames the warehouse has aggregated."""
