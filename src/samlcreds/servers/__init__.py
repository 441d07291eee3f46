"""Servers samlcreds runs locally (apart from the domain layer): the container-credentials endpoint."""
