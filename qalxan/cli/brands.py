"""Commands: brands (to be filled by its area)."""

import typer

app = typer.Typer(help="brands commands.", no_args_is_help=True)
