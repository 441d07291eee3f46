"""The command-line interface: the only layer that prints, prompts or exits.

One module per command; :mod:`samlcreds.cli.main` holds the group and
``main(args, env)``, which maps errors to exit codes and returns the status
(tests run it in-process). :func:`main` here is the console script: a
``process`` cache hit is answered before click or any AWS library is loaded.
"""

import gc
import sys

#: Allocations between young-generation collections during a CLI run (CPython's default is 700).
GC_THRESHOLD = 100_000


def main() -> None:
    """Console-script entry point. Ctrl-C anywhere exits 130 without a traceback.

    A command's start-up allocates ~90,000 long-lived objects (imports,
    botocore's JSON models); with CPython's default thresholds that means
    ~130 collections, one of them a full one, costing ~60 ms of a cold sign-in.
    A CLI run collects every :data:`GC_THRESHOLD` allocations instead, which
    a one-shot command never reaches and a long-running one (a server, a
    browser sign-in) still does.
    """
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
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
