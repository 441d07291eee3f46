"""Servers samlcreds runs locally (apart from the domain layer): the container-credentials endpoint
and the one-shot loopback redirect that hands the console sign-in URL to a browser."""
