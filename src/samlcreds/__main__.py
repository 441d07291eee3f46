"""``python -m samlcreds`` runs the command-line interface."""

from samlcreds.cli import main

if __name__ == "__main__":  # pragma: no cover - exercised through subprocess tests
    main()
