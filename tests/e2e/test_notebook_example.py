"""examples/notebook.ipynb runs end to end against the sandbox, executed by nbclient in a real kernel.

The notebook is run as it is shipped; the test configures its profile (``work``, as the notebook's
first cell says to do in a terminal) and types into the input boxes what a person would: the password,
then a SAMLResponse fresh from the sandbox IdP for the paste recipe.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import nbformat
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.utils import run_sync

from sandbox.idp import fetch_saml_response
from samlcreds import config
from tests import hygiene
from tests.e2e.kernel import REPO, StdinNotebookClient
from tests.e2e.test_notebook_kernel import kernel_environment

NOTEBOOK = REPO / "examples" / "notebook.ipynb"
BOB_ARN = "arn:aws:sts::111111111111:assumed-role/ReadOnly/bob@example.com"


def outputs_text(nb) -> str:
    return json.dumps([cell.get("outputs", []) for cell in nb.cells])


def test_example_notebook_runs_against_the_sandbox(sandbox_env, sandbox_idp, sandbox_sts, tmp_path):
    config.write_profile_settings("work", {"saml_provider": "form", "saml_url": os.environ["SAMLCREDS_URL"],
                                           "saml_username": "bob", "region": "us-east-1"})
    saml = fetch_saml_response(sandbox_idp, "bob", "bob-pw")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    sockets = Path(tempfile.mkdtemp(prefix="sk"))  # short: AF_UNIX paths are limited to ~100 bytes
    km = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=str(sockets / "k"),
                            connection_file=str(sockets / "kernel.json"))
    client = StdinNotebookClient(nb, answers=["bob-pw", saml], km=km, timeout=180, kernel_name="python3",
                                 resources={"metadata": {"path": str(tmp_path)}})
    try:
        client.execute(env=kernel_environment(), cwd=str(tmp_path))
    finally:
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=True)
        shutil.rmtree(sockets, ignore_errors=True)
    assert [(r["prompt"], r["password"]) for r in client.requests] == [
        ("Password for bob at " + sandbox_idp.sso_url.split("/")[2] + ": ", True),
        ("SAMLResponse: ", True),
    ]
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code)  # every cell ran (nbclient stops at the first error)
    errors = [out for cell in code for out in cell.outputs if out.output_type == "error"]
    assert not errors
    results = [out["data"]["text/plain"] for cell in code for out in cell.outputs
               if out.output_type == "execute_result"]
    assert results.count(repr(BOB_ARN)) == 2  # the refreshing session and the pasted one
    assert any("instance(s) in us-east-1" in out.get("text", "") for cell in code for out in cell.outputs)
    leaked = [s[:6] for s in [*hygiene.PASSWORDS, saml, *hygiene._issued_secrets()] if s in outputs_text(nb)]
    assert not leaked
