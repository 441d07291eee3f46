"""The command-line interface: the only layer that prints, prompts or exits.

One module per command; :mod:`samlcreds.cli.main` holds the group and the
mapping of errors to exit codes.
"""
