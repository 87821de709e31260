#!/usr/bin/python3
"""Self-check of the oracle: internal consistencies that catch porting bugs, on tiny random checkpoints.

Usage: /usr/bin/python3 scripts/convert/oracle/selfcheck.py   (exit 0 when every check passes)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

import checks_generate  # noqa: E402
import checks_qwen3_config  # noqa: E402
import checks_qwen3_text  # noqa: E402
import checks_qwen3_vision  # noqa: E402
import checks_text  # noqa: E402
import checks_vision  # noqa: E402
import checks_weights  # noqa: E402
from fixtures import Fixtures  # noqa: E402

MODULES = (
    checks_weights,
    checks_vision,
    checks_text,
    checks_qwen3_config,
    checks_qwen3_vision,
    checks_qwen3_text,
    checks_generate,
)


def main() -> int:
    torch.set_grad_enabled(False)
    started = time.time()
    failed = 0
    total = 0
    with tempfile.TemporaryDirectory(prefix="oracle-selfcheck-") as tmp:
        fx = Fixtures(tmp)
        for module in MODULES:
            for check in module.CHECKS:
                total += 1
                t0 = time.time()
                try:
                    check(fx)
                except Exception:  # a failed check is reported, the others still run
                    failed += 1
                    print(f"FAIL {check.__name__}")
                    traceback.print_exc()
                    continue
                print(f"ok   {check.__name__} ({time.time() - t0:.1f}s)")
    print(f"{total - failed}/{total} checks passed in {time.time() - started:.1f}s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
