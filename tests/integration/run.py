#!/usr/bin/python3
"""Integration tests for build/healthcheck: real servers on loopback,
scripted byte by byte; the probe is a black box (exit code, one line, time).

usage: /usr/bin/python3 tests/integration/run.py [-l] [-j N] [PATTERN...]
  PATTERN   run only scenarios whose name contains one of them
  -l        list the scenario names
  -j N      scenarios run at once (default $HC_JOBS, or two per CPU this
            process may use: most scenarios wait on a server or a deadline)

See hcrun.py for HC_BIN, HC_WRAP and HC_TIME_SLACK. The last line printed is
'N passed, M failed'; the exit status is 1 when anything failed.
"""

import os
import sys
import time
import traceback
from concurrent.futures import ThreadPoolExecutor

sys.dont_write_bytecode = True  # leave no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import hcrun  # noqa: E402
import scenarios  # noqa: E402  (registers the scenarios)
import hostile  # noqa: E402,F401
import static  # noqa: E402,F401
import robust  # noqa: E402,F401
import grpc  # noqa: E402,F401
import faults  # noqa: E402,F401
import tls  # noqa: E402,F401


def run_one(name, fn):
    t0 = time.monotonic()
    ctx = scenarios.Ctx(name)
    try:
        fn(ctx)
        ok, msg = True, ""
    except hcrun.Failure as e:
        ok, msg = False, str(e)
    except Exception:  # a bug in the test itself also fails loudly
        ok, msg = False, "error in the test:\n" + traceback.format_exc()
    finally:
        ctx.cleanup()
    return name, ok, msg, time.monotonic() - t0, ctx.notes


def main(argv):
    jobs = int(os.environ.get("HC_JOBS") or 2 * len(os.sched_getaffinity(0)))
    patterns = []
    listing = False
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "-l":
            listing = True
        elif a == "-j" and i + 1 < len(argv):
            i += 1
            jobs = int(argv[i])
        elif a.startswith("-"):
            print(__doc__, file=sys.stderr)
            return 64
        else:
            patterns.append(a)
        i += 1
    todo = [(n, f) for n, f in scenarios.REGISTRY
            if not patterns or any(p in n for p in patterns)]
    if listing:
        for n, _ in todo:
            print(n)
        return 0
    if not todo:
        print("no scenario matches %s" % " ".join(patterns), file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    b = hcrun.binary()
    if not os.access(b, os.X_OK):
        print("integration: %s is missing or not executable (run make first)" % b,
              file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    print("integration: %s%s, %d scenarios, %d at once" % (
        " ".join(hcrun.wrap() + [""]), b, len(todo), jobs), flush=True)
    if not hcrun.default_binary():
        print("integration: HC_BIN/HC_WRAP set: build/healthcheck's static-binary, chroot and "
              "system-call count checks are left out (tls.py has the TLS build's own, for a "
              "static binary run alone)", flush=True)
    if not hcrun.faults():
        print("integration: the strace fault-injection scenarios are left out "
              "(HC_FAULTS=1 runs them)", flush=True)
    passed = failed = 0
    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as ex:
        futures = [ex.submit(run_one, n, f) for n, f in todo]
        for fu in futures:
            name, ok, msg, secs, notes = fu.result()
            for note in notes:
                print("  %s: %s" % (name, note))
            if ok:
                passed += 1
                print("ok   %-44s %.2fs" % (name, secs), flush=True)
            else:
                failed += 1
                print("FAIL %-44s %.2fs\n%s" % (name, secs, msg), flush=True)
    print("integration: %.1f s in all" % (time.monotonic() - t0))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
