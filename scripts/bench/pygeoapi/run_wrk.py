"""Run wrk and say where the machine's CPU went meanwhile.

    python3 run_wrk.py SERVER_PID OUT_FILE -- wrk ARGS...

Writes wrk's output to OUT_FILE, then appends one line:
  cpu: server S s, wrk W s, other processes O s, interrupts Q s, idle I s (of N cores x T s)
where the server is SERVER_PID and its descendants (gunicorn's workers), wrk's time is
from getrusage, and "other" is the rest of the machine's busy time (another build or test
run on the same cores shows up there and makes the figures unreliable). Before starting,
waits up to $QUIET_WAIT seconds (default 0) for a second in which the machine is idle
(under 10% of one core busy) and says how long it waited or that it gave up.
"""
import os
import resource
import subprocess
import sys
import time

pid, out = int(sys.argv[1]), sys.argv[2]
cmd = sys.argv[sys.argv.index("--") + 1:]
TICK = os.sysconf("SC_CLK_TCK")


def tree(p):
    pids = [p]
    for t in os.listdir(f"/proc/{p}/task"):
        try:
            kids = open(f"/proc/{p}/task/{t}/children").read().split()
        except OSError:
            continue
        for k in kids:
            pids += tree(int(k))
    return pids


def proc_cpu(pids):
    s = 0
    for p in pids:
        try:
            f = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()
            s += int(f[11]) + int(f[12])  # utime, stime
        except OSError:
            pass
    return s / TICK


def machine():
    # /proc/stat: user nice system idle iowait irq softirq steal. Processes' time is
    # user+nice+system; irq+softirq (loopback traffic, largely) is kept apart.
    f = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return (f[0] + f[1] + f[2]) / TICK, (f[3] + f[4]) / TICK, (f[5] + f[6]) / TICK


quiet_wait = float(os.environ.get("QUIET_WAIT", "0"))
start = time.time()
while True:
    b0, _, _ = machine()
    time.sleep(1)
    b1, _, _ = machine()
    busy = b1 - b0
    if busy < 0.1:
        note = f"machine idle after {time.time() - start:.0f} s" if time.time() - start > 1.5 else ""
        break
    if time.time() - start >= quiet_wait:
        note = f"machine still busy ({busy:.1f} cores) after waiting {quiet_wait:.0f} s; measured anyway"
        break
if note:
    print(f"  ({note})", file=sys.stderr)

pids = tree(pid)
s0, (b0, i0, q0), t0 = proc_cpu(pids), machine(), time.time()
r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
s1, (b1, i1, q1), t1 = proc_cpu(pids), machine(), time.time()
server = s1 - s0
wrk = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
other = max(0.0, (b1 - b0) - server - wrk)
with open(out, "w") as f:
    f.write(res.stdout)
    f.write(f"cpu: server {server:.1f} s, wrk {wrk:.1f} s, other processes {other:.1f} s, "
            f"interrupts {q1 - q0:.1f} s, idle {i1 - i0:.1f} s (of {os.cpu_count()} cores x {t1 - t0:.1f} s)\n")
sys.exit(res.returncode)
