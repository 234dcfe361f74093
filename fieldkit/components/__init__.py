"""Electronic components found in debris: attribution to firms and countries, and summaries."""
