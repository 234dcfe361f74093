"""Teams: researchers' keys, signed and encrypted evidence bundles, and merging catalogs."""
