"""Placeholder: replaced by the guidance engine work."""
import argparse


def register(subparsers: "argparse._SubParsersAction") -> None:
    pass
