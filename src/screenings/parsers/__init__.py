"""Pure readers of lineup files: text in, records or issues with line and column out."""
