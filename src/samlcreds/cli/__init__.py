"""The command-line interface: the only layer that prints, prompts or exits.

One module per command; :mod:`samlcreds.cli.main` holds the group and
``main(args, env)``, which maps errors to exit codes and returns the status
(tests run it in-process). :func:`main` here is the console script: a
``process`` cache hit is answered before click or any AWS library is loaded.
"""

import sys


def main() -> None:
    """Console-script entry point. Ctrl-C anywhere exits 130 without a traceback."""
    try:
        if sys.argv[1:2] == ["process"]:
            from samlcreds.cli.process import serve_from_cache

            if serve_from_cache(sys.argv[2:]):
                sys.exit(0)
        from samlcreds.cli.main import main as run

        sys.exit(int(run(sys.argv[1:])))
    except KeyboardInterrupt:
        sys.stderr.write("samlcreds: interrupted\n")
        sys.exit(130)
