"""Commands of the message area, added to the shared `check`, `train` and `eval` groups."""

from qalxan.cli.groups import check_app, eval_app, train_app

__all__ = ["check_app", "eval_app", "train_app"]
