from sandbox.fixtures import *  # noqa: F401,F403
