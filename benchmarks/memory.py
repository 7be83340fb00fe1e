"""Peak memory of ``simulate``, measured in a fresh subprocess.

``ru_maxrss`` is no use here: Linux keeps it across ``fork`` and ``exec``, so a child started by
a process that has already simulated 10,000 runs reports the parent's peak. The subprocess reads
its own ``VmHWM`` (peak resident set of the current address space, new at ``exec``) from
``/proc/self/status`` instead, resets it after the imports where the kernel allows
(``/proc/self/clear_refs``), and also records :mod:`tracemalloc`'s peak of the memory Python and
NumPy allocate during the call.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

_SCRIPT = """
import json, sys, tracemalloc
import moondust

def hwm_kb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0

scenario = moondust.load_scenario("baseline")
moondust.simulate(scenario, runs=1, seed=2025)
imported = hwm_kb()
try:
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")
    reset = True
except OSError:
    reset = False
tracemalloc.start()
results = moondust.simulate(scenario, runs=int(sys.argv[1]), seed=2025)
_, traced_peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
print(json.dumps({
    "imported_kb": imported, "peak_kb": hwm_kb(), "reset": reset,
    "traced_peak_bytes": traced_peak, "dataset_bytes": int(results.dataset.nbytes),
}))
"""


def peak_memory(runs: int) -> dict[str, float]:
    """Resident memory (MB) of a process after importing moondust and one warm-up run; its peak
    while simulating ``runs`` runs of the baseline; the peak of Python and NumPy allocations
    during that call (tracemalloc); and the size of the results."""
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(runs)],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
    )
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        f"rss_after_imports_mb_{runs}_runs": data["imported_kb"] / 1024.0,
        f"peak_rss_mb_{runs}_runs": data["peak_kb"] / 1024.0,
        f"traced_peak_mb_{runs}_runs": data["traced_peak_bytes"] / 2**20,
        f"results_dataset_mb_{runs}_runs": data["dataset_bytes"] / 2**20,
    }
