"""dockerhealth.py - one container on Docker Engine taken through its health
states by Docker's own timers: `starting` -> `healthy` -> (SIGUSR1)
`unhealthy` -> (SIGUSR1) `healthy` -> stopped by SIGTERM, exit 0, with the
probe's line in the health log at each step and the kernel's view of PID 1
(/proc) for the user, the capabilities, the network and the read-only root.
Used by docker_test.py, dockerfile_test.py and image_test.py.
"""
import re
import time

import engines
from engines import poll

# Docker's probe interval here.  The first check runs one interval after the
# start, so this is also how long `starting` lasts: long enough to see it
# on a busy machine, short enough for the whole run to take seconds.
INTERVAL = 5
BOUND = 120  # seconds any one state may take to show, at most


class Scenario:
    def __init__(self, label, image, probe, uid, gid, run_args=()):
        self.label, self.image, self.probe = label, image, probe
        self.uid, self.gid = uid, gid
        self.run_args = list(run_args)
        self.name = None
        self.alive = False


def status(d, s):
    return d.health(s.name).get("Status")


def wait_leave(d, s, state):
    """Polls until the health status is no longer `state`; returns it."""
    seen = {}

    def changed():
        seen["st"] = status(d, s)
        return seen["st"] != state
    poll(changed, BOUND)
    return seen["st"]


def last_log(d, s):
    log = d.health(s.name).get("Log") or []
    return log[-1] if log else {}


def ps_status(d, s):
    r = d.docker("ps", "-a", "--filter", "name=^/%s$" % s.name, "--format", "{{.Status}}")
    return r.out.strip()


def start(d, t, s, tag):
    s.name = "%s-%s" % (tag, re.sub(r"[^a-z0-9]+", "-", s.label))
    d.containers.append(s.name)
    r = d.docker("run", "-d", "--name", s.name, "--network", "none", "--read-only",
                 "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
                 "--health-interval", "%ds" % INTERVAL, "--health-retries", "1",
                 *s.run_args, s.image)
    t0 = time.monotonic()
    if not t.check("%s: docker run -d --network none --read-only --cap-drop ALL" % s.label,
                   r, r.tail()):
        return
    st = status(d, s)
    ms = int((time.monotonic() - t0) * 1000)
    s.alive = True
    t.check("%s: state is `starting` before the first check (was %r, %d ms after the start)"
            % (s.label, st, ms), st == "starting",
            "the first check runs %d s after the start: this machine took longer" % INTERVAL)


def healthy_phase(d, t, s):
    st = wait_leave(d, s, "starting")
    t.check("%s: Docker's own timer makes it `healthy` (was %r)" % (s.label, st), st == "healthy",
            str(d.health(s.name))[:400])
    entry = last_log(d, s)
    out = entry.get("Output", "")
    t.check("%s: the health log holds exit 0 and 'healthy: HTTP 200 in N ms' (%r)"
            % (s.label, out), entry.get("ExitCode") == 0
            and re.fullmatch(r"healthy: HTTP 200 in \d+ ms\n", out) is not None)
    ps = ps_status(d, s)
    t.check("%s: docker ps says (healthy) (%r)" % (s.label, ps), ps.endswith("(healthy)"))
    pid = d.inspect(s.name, "{{.State.Pid}}")
    f = engines.proc_facts(pid)
    t.check("%s: PID 1 runs as uid %s, gid %s (uid %s, gid %s)"
            % (s.label, s.uid, s.gid, f["uid"], f["gid"]), (f["uid"], f["gid"]) == (s.uid, s.gid))
    if s.gid == "0":
        t.info("%s: `USER %s` alone leaves the group 0 (root's) in a scratch image: "
               "write `USER %s:%s`" % (s.label, s.uid, s.uid, s.uid))
    t.check("%s: PID 1 has no capabilities, none in its bounding set, no_new_privs (%s/%s/%s)"
            % (s.label, f["capeff"], f["capbnd"], f["nonewprivs"]),
            f["capeff"] == f["capbnd"] == "0000000000000000" and f["nonewprivs"] == "1")
    t.check("%s: its network namespace holds only lo (%s)" % (s.label, f["ifaces"]),
            f["ifaces"] == ["lo"])
    t.check("%s: its root file system is read-only" % s.label, f["root_ro"] is True)
    r = d.docker("exec", s.name, *s.probe)
    t.check("%s: docker exec %s -> 0 '%s' (an exec probe, as the kubelet runs it)"
            % (s.label, " ".join(s.probe), r.out.strip()),
            r.rc == 0 and r.out.startswith("healthy: HTTP 200 in "), r.text())
    r = d.docker("exec", s.name, *s.probe, "--no-such-flag")
    t.check("%s: docker exec ... --no-such-flag -> 64 (was %s)" % (s.label, r.rc), r.rc == 64)


def unhealthy_phase(d, t, s):
    st = wait_leave(d, s, "healthy")
    t.check("%s: after SIGUSR1 the next timed check makes it `unhealthy` (was %r)"
            % (s.label, st), st == "unhealthy")
    entry = last_log(d, s)
    t.check("%s: the health log holds exit 1 and the probe's line 'unhealthy: HTTP 503' (%r)"
            % (s.label, entry.get("Output")),
            entry.get("ExitCode") == 1 and entry.get("Output") == "unhealthy: HTTP 503\n")
    ps = ps_status(d, s)
    t.check("%s: docker ps says (unhealthy) (%r)" % (s.label, ps), ps.endswith("(unhealthy)"))
    r = d.docker("exec", s.name, *s.probe)
    t.check("%s: docker exec %s -> 1 '%s'" % (s.label, " ".join(s.probe), r.err.strip()),
            r.rc == 1 and r.err == "unhealthy: HTTP 503\n", r.text())


def recover_and_stop(d, t, s):
    st = wait_leave(d, s, "unhealthy")
    t.check("%s: SIGUSR1 again -> `healthy` again (was %r)" % (s.label, st), st == "healthy")
    t0 = time.monotonic()
    d.docker("stop", "-t", "10", s.name, timeout=120)
    ms = int((time.monotonic() - t0) * 1000)
    code = d.inspect(s.name, "{{.State.ExitCode}}")
    t.check("%s: docker stop: SIGTERM to PID 1 -> exit 0 in %d ms (was %s)" % (s.label, ms, code),
            code == 0 and ms < 5000)


def run_all(d, t, scenarios, tag):
    """Every phase for every scenario, each phase for all at once: the
    intervals are waited for once, not once per container."""
    for s in scenarios:
        start(d, t, s, tag)
    live = [s for s in scenarios if s.alive]
    for s in live:
        healthy_phase(d, t, s)
    for s in live:
        d.docker("kill", "--signal", "USR1", s.name)
    for s in live:
        unhealthy_phase(d, t, s)
    for s in live:
        d.docker("kill", "--signal", "USR1", s.name)
    for s in live:
        recover_and_stop(d, t, s)
    return live
