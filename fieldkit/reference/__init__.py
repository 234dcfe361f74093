"""Reference tables (CSV under reference/): loading and validation."""
