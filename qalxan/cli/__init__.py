"""Command line: Typer, thin. Commands parse input, call a service, format output."""
