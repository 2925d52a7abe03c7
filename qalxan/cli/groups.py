"""Typer groups shared by several areas: each area module adds its commands to them."""

from __future__ import annotations

import typer

__all__ = ["check_app", "eval_app", "train_app"]

check_app = typer.Typer(
    help="Check a URL, domain, message or page and print a verdict.", no_args_is_help=True
)
train_app = typer.Typer(help="Train a model from the shared datasets.", no_args_is_help=True)
eval_app = typer.Typer(help="Evaluate a model on a labelled file.", no_args_is_help=True)
