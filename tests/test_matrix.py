"""The committed outputs do not depend on the CPU: the full pipeline, run under other
OpenBLAS kernels, writes data/derived and figures byte for byte as committed.

Run by ``make test-matrix`` (which CI calls after ``make test``), not by ``make test``: each
kernel is a full forced pipeline run. ``OPENBLAS_CORETYPE`` is only how this test emulates
other CPUs on one machine; the pipeline itself never sets it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import copy_inputs

from collabcomm.pipeline.compare import compare_outputs

pytestmark = [pytest.mark.matrix, pytest.mark.notebooks]
REPO = Path(__file__).resolve().parents[1]
KERNELS = ["Haswell", "SkylakeX", "Sandybridge"]
# the probe multiplies matrices and solves a system, so a kernel the CPU cannot execute (AVX-512
# code for SkylakeX on a CPU without AVX-512) dies here, by SIGILL, and not in the pipeline
PROBE = ("import json, numpy, scipy.linalg, threadpoolctl; a = numpy.arange(1.0, 401.0)"
         ".reshape(20, 20) % 7 + numpy.eye(20); scipy.linalg.solve(a @ a.T, a[:, 0]); "
         "print(json.dumps([i.get('architecture') for i in threadpoolctl.threadpool_info() "
         "if i.get('internal_api') == 'openblas']))")


def _kernel_in_use(kernel: str) -> tuple[list[str] | None, str]:
    """The OpenBLAS architectures a process reports under ``OPENBLAS_CORETYPE=kernel`` after
    running BLAS and LAPACK code, or None with the reason when that process cannot run."""
    env = os.environ | {"OPENBLAS_CORETYPE": kernel}
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True,
                         text=True)
    if out.returncode < 0:
        return None, (f"a process with OPENBLAS_CORETYPE={kernel} was killed by signal "
                      f"{-out.returncode} (SIGILL = 4: this CPU lacks the kernel's instructions)")
    assert out.returncode == 0, f"the probe failed under {kernel}:\n{out.stderr}"
    return json.loads(out.stdout), ""


@pytest.mark.parametrize("kernel", KERNELS)
def test_outputs_are_identical_under_an_emulated_cpu(kernel, tmp_path):
    used, why = _kernel_in_use(kernel)
    if used is None:
        pytest.skip(f"OPENBLAS_CORETYPE={kernel} cannot be emulated on this machine: {why}; "
                    f"this kernel was NOT checked")
    if not used or any(u is None or u.lower() != kernel.lower() for u in used):
        pytest.skip(f"this machine's OpenBLAS does not accept OPENBLAS_CORETYPE={kernel} "
                    f"(it reports {used}); the emulation needs an x86-64 CPU that can run it")
    root = tmp_path / "project"
    copy_inputs(root)
    env = os.environ | {"OPENBLAS_CORETYPE": kernel, "COLLABCOMM_ROOT": str(root)}
    run = subprocess.run([sys.executable, "-m", "collabcomm", "run", "--force"], cwd=root,
                         env=env, capture_output=True, text=True)
    assert run.returncode == 0, f"pipeline failed under {kernel}:\n{run.stdout}\n{run.stderr}"
    report = compare_outputs(root, REPO)
    assert not report, f"outputs under OPENBLAS_CORETYPE={kernel} differ from git:\n" + \
        "\n".join(report)


def test_outputs_are_identical_with_two_blas_threads(tmp_path):
    # the pipeline gives each kernel one BLAS thread by default (one notebook per core); the
    # outputs must not depend on that: the same run with two threads per kernel
    root = tmp_path / "project"
    copy_inputs(root)
    env = os.environ | {"COLLABCOMM_ROOT": str(root), "OPENBLAS_NUM_THREADS": "2",
                        "OMP_NUM_THREADS": "2", "MKL_NUM_THREADS": "2"}
    run = subprocess.run([sys.executable, "-m", "collabcomm", "run", "--force"], cwd=root,
                         env=env, capture_output=True, text=True)
    assert run.returncode == 0, f"pipeline failed with two threads:\n{run.stdout}\n{run.stderr}"
    report = compare_outputs(root, REPO)
    assert not report, "outputs with two BLAS threads differ from git:\n" + "\n".join(report)


def test_the_pipeline_does_not_choose_the_kernel():
    # the emulation is only valid if nothing in the package pins a kernel or limits threads
    # behind the user's back; the one-thread default is an environment default that a user's
    # setting overrides (tests/test_pipeline_execute.py), and two threads are checked above
    text = "\n".join(p.read_text() for p in (REPO / "lib" / "collabcomm").rglob("*.py"))
    assert "OPENBLAS_CORETYPE" not in text
    assert "threadpool_limits" not in text
