"""Print a cosmic-ray session's score: mutants, killed, survived, timeouts and the kill rate.

Usage: ``python mutation/score.py mutation/session.sqlite``

The mutants the filters skipped (out of the configured lines or operators) are counted apart and
not in the rate; a timeout counts as killed (cosmic-ray's rule) and is also shown on its own.
Each survivor is listed with its operator and line; ``cr-report --show-diff`` shows its diff.
"""

from __future__ import annotations

import sqlite3
import sys


def main(path: str) -> int:
    db = sqlite3.connect(path)
    rows = db.execute(
        "SELECT s.job_id, s.operator_name, s.occurrence, s.start_pos_row, r.worker_outcome,"
        " r.test_outcome, r.output FROM mutation_specs s LEFT JOIN work_results r"
        " ON r.job_id = s.job_id ORDER BY s.start_pos_row, s.operator_name, s.occurrence"
    ).fetchall()
    skipped = [row for row in rows if row[4] == "SKIPPED"]
    pending = [row for row in rows if row[4] is None]
    run = [row for row in rows if row[4] not in (None, "SKIPPED")]
    killed = [row for row in run if row[5] == "KILLED"]
    timeouts = [row for row in killed if (row[6] or "").strip() == "timeout"]
    survived = [row for row in run if row[5] == "SURVIVED"]
    incompetent = [row for row in run if row[5] not in ("KILLED", "SURVIVED")]
    print(f"mutants run:  {len(run)}  (filtered out: {len(skipped)}, pending: {len(pending)})")
    print(f"killed:       {len(killed)}  (of which timeouts: {len(timeouts)})")
    print(f"survived:     {len(survived)}")
    print(f"incompetent:  {len(incompetent)}")
    if run:
        print(f"kill rate:    {100 * len(killed) / len(run):.1f}%")
    for job_id, operator, occurrence, line, *_ in survived:
        name = operator.removeprefix("core/")
        print(f"  survived  line {line:>4}  {name} #{occurrence}  {job_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
