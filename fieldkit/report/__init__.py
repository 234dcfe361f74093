"""Reports from the catalog: evidence dossiers (PDF, HTML), catalog reports, maps, GeoJSON and KML."""
