"""The ``qalxan`` command."""

from __future__ import annotations

import typer

from qalxan import __version__
from qalxan.cli import brands, ddos, keys, reports, serve, settings_doc, users
from qalxan.cli import message as _message  # noqa: F401  (adds check/train/eval commands)
from qalxan.cli import page as _page  # noqa: F401
from qalxan.cli import url as _url  # noqa: F401
from qalxan.cli.groups import check_app, eval_app, train_app

__all__ = ["app", "main"]

EXAMPLES = """
Examples:

  qalxan serve --port 8000

  qalxan check url 'hxxps://kapitalbank-az[.]com/login' --json

  qalxan check message 'Kartınız bloklanıb, kodu bizə göndərin' --json

  qalxan check url --file urls.txt --jsonl > verdicts.jsonl

  qalxan brands list --json

  qalxan keys create --scope operator --name azercell-smsc

  qalxan ddos replay attack.pcap --json
"""

app = typer.Typer(
    help="Qalxan: phishing, scam and DDoS defence for a national cyber-security service.",
    epilog=EXAMPLES,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
app.add_typer(check_app, name="check")
app.add_typer(train_app, name="train")
app.add_typer(eval_app, name="eval")
app.add_typer(brands.app, name="brands")
app.add_typer(keys.app, name="keys")
app.add_typer(ddos.app, name="ddos")
app.add_typer(reports.app, name="reports")
app.add_typer(users.app, name="users")
app.command("serve")(serve.serve)
app.command("settings")(settings_doc.settings_command)


@app.command("version")
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


def main() -> None:
    """Entry point of the ``qalxan`` script."""
    app()
