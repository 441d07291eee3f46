from sandbox.fixtures import *  # noqa: F401,F403
from tests.hygiene import secret_hygiene  # noqa: F401,E402  (autouse: applies to the whole suite)
