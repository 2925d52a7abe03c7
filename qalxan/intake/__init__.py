"""Report intake at the edge: parsers of what people and partners upload (e-mail files)."""
