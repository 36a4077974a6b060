#!/usr/bin/env python3
"""skiff-runtime against crun and runc, in one run, on the same bundle.

Started by hack/bench/runtime (which builds skiff-runtime and the test image first).

Two measurements per runtime, interleaved runtime by runtime so drift hits all alike:
  run    `RUNTIME run ID` of /bin/true: one runtime call, which returns when the container exits.
  c+s+d  `create`, `start`, wait for /bin/true to exit, `delete`: three runtime calls. The wait
         is no poll: this script is a child subreaper (PR_SET_CHILD_SUBREAPER), so the
         container's init re-parents to it and waitpid returns the moment it exits. Without
         that, `delete` of a running container fails and PID 1 here reaps orphans late.
Peak RSS is `/usr/bin/time -f %M` of `run` calls, in separate runs so that time's own cost
stays out of the timings: the largest process in the runtime's tree (the wrapper's sh and
unshare included, so its own figure is printed as a floor). Median over the RSS runs.
Not wait4() from here: a child spawned from Python starts with Python's page counts (~17 MB).

On a hybrid cgroup host crun refuses to run ("cgroups in hybrid mode not supported"), so
every runtime call, of every runtime, goes through the same wrapper:
  unshare -m sh -c 'umount /sys/fs/cgroup/unified && exec "$@"' sh RUNTIME ...
The wrapper's own cost is measured in the same run, as the median of the wrapper running
/bin/true minus the median of /bin/true alone, and subtracted once per runtime call.
"""
import argparse
import contextlib
import ctypes
import datetime
import json
import os
import shutil
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time

PR_SET_CHILD_SUBREAPER = 36
HYBRID_CGROUP2 = "/sys/fs/cgroup/unified"
CALL_TIMEOUT_S = 30


class BenchError(Exception):
    pass


def become_subreaper() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def reap_orphans() -> None:
    """Reaps whatever re-parented to us (runtimes' intermediate processes)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _on_alarm(signum, frame):
    raise BenchError(f"no answer within {CALL_TIMEOUT_S} s")


@contextlib.contextmanager
def deadline():
    """Raises BenchError in the body after CALL_TIMEOUT_S: a hung runtime must not hang us."""
    signal.alarm(CALL_TIMEOUT_S)
    try:
        yield
    finally:
        signal.alarm(0)


class Spawner:
    """posix_spawn + waitpid: no Popen bookkeeping inside the timed window."""

    def __init__(self, work: str):
        self.errfile = os.path.join(work, "stderr")
        self.outfile = os.path.join(work, "stdout")

    def call(self, argv: list[str]) -> tuple[float, int]:
        """Runs argv to completion: (seconds, exit code)."""
        actions = [
            (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, self.outfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
            (os.POSIX_SPAWN_OPEN, 2, self.errfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
        ]
        start = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
        try:
            with deadline():
                _, status = os.waitpid(pid, 0)
        except BenchError:
            os.kill(pid, signal.SIGKILL)  # the process we started, by PID
            os.waitpid(pid, 0)
            raise BenchError(f"`{' '.join(argv)}` gave no answer within {CALL_TIMEOUT_S} s")
        elapsed = time.perf_counter() - start
        return elapsed, os.waitstatus_to_exitcode(status)

    def peak_rss_kb(self, argv: list[str]) -> tuple[int, int]:
        """Runs argv under /usr/bin/time: (exit code, peak RSS KB)."""
        rssfile = self.outfile + ".rss"
        _, code = self.call(["/usr/bin/time", "-f", "%M", "-o", rssfile, *argv])
        with open(rssfile) as f:
            lines = f.read().strip().splitlines()
        return code, int(lines[-1]) if lines and lines[-1].isdigit() else 0

    def check(self, argv: list[str]) -> float:
        elapsed, code = self.call(argv)
        if code != 0:
            raise BenchError(f"`{' '.join(argv)}` exited {code}: {self.stderr()}")
        return elapsed

    def stderr(self) -> str:
        with open(self.errfile, errors="replace") as f:
            text = f.read().strip()
        return text.splitlines()[-1] if text else "(no stderr)"

    def stdout(self) -> str:
        with open(self.outfile, errors="replace") as f:
            return f.read()


class Runtime:
    def __init__(self, name: str, path: str, work: str, wrapper: list[str]):
        self.name = name
        self.path = path
        self.state = os.path.join(work, "state-" + name)
        self.wrapper = wrapper
        self.version = version_of(path)
        self.error = None  # why it dropped out, if it did
        self.run_s: list[float] = []
        self.csd_s: list[float] = []
        self.rss_kb: list[int] = []
        self.live: set[str] = set()  # ids created and not yet deleted

    def argv(self, *args: str) -> list[str]:
        return self.wrapper + [self.path, "--root", self.state, *args]


def version_of(path: str) -> str:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    first = out.strip().splitlines()[0] if out.strip() else "?"
    return first.split()[-1] if first.split() else "?"


def make_bundle(rootfs: str, bundle: str, args: list[str]) -> None:
    """runc's `spec` defaults (pid, network, ipc, uts, mount namespaces; read-only root), the
    same config.json for every runtime; rootfs shared read-only between bundles."""
    os.makedirs(bundle)
    subprocess.run([shutil.which("runc"), "spec", "--bundle", bundle], check=True)
    path = os.path.join(bundle, "config.json")
    with open(path) as f:
        config = json.load(f)
    config["process"]["terminal"] = False
    config["process"]["args"] = args
    config["root"] = {"path": rootfs, "readonly": True}
    with open(path, "w") as f:
        json.dump(config, f, indent=2)


class Bench:
    def __init__(self, opts, work: str):
        self.opts = opts
        self.work = work
        self.spawner = Spawner(work)
        hybrid = os.path.ismount(HYBRID_CGROUP2)
        self.wrapper = (["/usr/bin/unshare", "-m", "/bin/sh", "-c",
                         f'umount {HYBRID_CGROUP2} && exec "$@"', "sh"] if hybrid else [])
        rootfs = os.path.join(work, "rootfs")
        shutil.copytree(opts.rootfs, rootfs, symlinks=True)
        self.bundle = os.path.join(work, "bundle-true")
        make_bundle(rootfs, self.bundle, ["/bin/true"])
        self.probe_bundle = os.path.join(work, "bundle-probe")
        make_bundle(rootfs, self.probe_bundle, ["/bin/sh", "-c", "echo skiff-bench-$$"])
        self.runtimes = [Runtime(name, path, work, self.wrapper) for name, path in opts.runtimes]
        self.seq = 0

    def next_id(self, rt: Runtime) -> str:
        self.seq += 1
        return f"bench-{rt.name}-{self.seq}"

    # One measurement of each kind.

    def measure_run(self, rt: Runtime, record: bool) -> None:
        cid = self.next_id(rt)
        rt.live.add(cid)
        elapsed, code = self.spawner.call(rt.argv("run", "--bundle", self.bundle, cid))
        if code != 0:
            raise BenchError(f"run exited {code}: {self.spawner.stderr()}")
        rt.live.discard(cid)  # `run` deletes the container when it exits
        reap_orphans()
        if record:
            rt.run_s.append(elapsed)

    def measure_rss(self, rt: Runtime) -> None:
        cid = self.next_id(rt)
        rt.live.add(cid)
        code, rss = self.spawner.peak_rss_kb(rt.argv("run", "--bundle", self.bundle, cid))
        if code != 0:
            raise BenchError(f"run exited {code}: {self.spawner.stderr()}")
        rt.live.discard(cid)
        reap_orphans()
        rt.rss_kb.append(rss)

    def measure_csd(self, rt: Runtime, record: bool) -> None:
        cid = self.next_id(rt)
        pidfile = os.path.join(self.work, cid + ".pid")
        rt.live.add(cid)
        start = time.perf_counter()
        self.spawner.check(rt.argv("create", "--bundle", self.bundle, "--pid-file", pidfile, cid))
        self.spawner.check(rt.argv("start", cid))
        with open(pidfile) as f:
            init = int(f.read())
        try:
            with deadline():
                os.waitpid(init, 0)  # ours: we are its subreaper
        except ChildProcessError:
            raise BenchError(f"container init {init} is not a descendant of the benchmark")
        self.spawner.check(rt.argv("delete", cid))
        elapsed = time.perf_counter() - start
        rt.live.discard(cid)
        reap_orphans()
        if record:
            rt.csd_s.append(elapsed)

    def probe(self, rt: Runtime) -> None:
        """Proves the runtime really runs a container (PID 1 in a new PID namespace) before
        timing it: a stub that exits 0 would otherwise look very fast."""
        cid = self.next_id(rt)
        rt.live.add(cid)
        self.spawner.check(rt.argv("run", "--bundle", self.probe_bundle, cid))
        rt.live.discard(cid)
        out = self.spawner.stdout().strip()
        if out != "skiff-bench-1":
            raise BenchError(f"probe container printed {out!r}, expected 'skiff-bench-1'")

    def guarded(self, rt: Runtime, fn, *args) -> None:
        if rt.error:
            return
        try:
            fn(rt, *args)
        except (BenchError, OSError) as e:
            rt.error = str(e)
            print(f"  {rt.name}: dropped: {e}", file=sys.stderr)

    # The whole benchmark.

    def wrapper_overhead(self) -> tuple[float, int]:
        """(seconds the wrapper adds to each runtime call, the wrapper's peak RSS KB)."""
        if not self.wrapper:
            return 0.0, 0
        true = shutil.which("true")
        bare, wrapped, rss = [], [], []
        for _ in range(self.opts.runs):
            bare.append(self.spawner.call([true])[0])
            wrapped.append(self.spawner.call(self.wrapper + [true])[0])
        for _ in range(self.rss_runs()):
            rss.append(self.spawner.peak_rss_kb(self.wrapper + [true])[1])
        return max(0.0, statistics.median(wrapped) - statistics.median(bare)), int(statistics.median(rss))

    def rss_runs(self) -> int:
        return min(self.opts.runs, 10)

    def run(self) -> dict:
        for rt in self.runtimes:
            self.guarded(rt, self.probe)
        for i in range(self.opts.warmup + self.opts.runs):
            record = i >= self.opts.warmup
            for rt in self.runtimes:
                self.guarded(rt, self.measure_run, record)
                self.guarded(rt, self.measure_csd, record)
        for _ in range(self.rss_runs()):
            for rt in self.runtimes:
                self.guarded(rt, self.measure_rss)
        overhead, wrapper_rss = self.wrapper_overhead()
        return self.results(overhead, wrapper_rss)

    def cleanup(self) -> None:
        for rt in self.runtimes:
            for cid in sorted(rt.live):
                try:
                    self.spawner.call(rt.argv("delete", "--force", cid))
                except (BenchError, OSError):
                    pass
        reap_orphans()

    def results(self, overhead: float, wrapper_rss: int) -> dict:
        rows = []
        for rt in self.runtimes:
            row = {"runtime": rt.name, "path": rt.path, "version": rt.version, "error": rt.error}
            if not rt.error and rt.run_s and rt.csd_s:
                row.update({
                    "run_raw_ms": statistics.median(rt.run_s) * 1e3,
                    "csd_raw_ms": statistics.median(rt.csd_s) * 1e3,
                    "run_ms": (statistics.median(rt.run_s) - overhead) * 1e3,
                    "csd_ms": (statistics.median(rt.csd_s) - 3 * overhead) * 1e3,
                    "peak_rss_kb": int(statistics.median(rt.rss_kb)),
                })
            rows.append(row)
        return {
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "runs": self.opts.runs, "warmup": self.opts.warmup,
            "wrapper": shlex.join(self.wrapper) or None,
            "wrapper_overhead_ms": overhead * 1e3, "wrapper_rss_kb": wrapper_rss,
            "rows": rows,
        }


def print_table(res: dict) -> None:
    rows = res["rows"]
    base = next((r for r in rows if r["runtime"] == "skiff-runtime" and "run_ms" in r), None)

    def ratio(r, key):
        if base is None or key not in r or base[key] <= 0:
            return "n/a"
        return f"{r[key] / base[key]:.2f}x"

    header = ["runtime", "version", "run median ms", "c+s+d median ms", "peak RSS KB",
              "run vs skiff", "c+s+d vs skiff"]
    table = [header]
    for r in rows:
        if "run_ms" in r:
            table.append([r["runtime"], r["version"], f"{r['run_ms']:.2f}", f"{r['csd_ms']:.2f}",
                          str(r["peak_rss_kb"]), ratio(r, "run_ms"), ratio(r, "csd_ms")])
        else:
            table.append([r["runtime"], r["version"], "-", "-", "-", "-", "-"])
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    print()
    for n, row in enumerate(table):
        print("  ".join(cell.ljust(w) if i < 2 else cell.rjust(w)
                        for i, (cell, w) in enumerate(zip(row, widths))))
        if n == 0:
            print("  ".join("-" * w for w in widths))
    print()
    print(f"{res['runs']} runs each after {res['warmup']} warm-up runs, runtimes interleaved.")
    print("vs skiff: this runtime's median / skiff-runtime's (above 1.00x: slower than skiff).")
    print("run:   `run` of /bin/true (1 runtime call). c+s+d: create, start, wait for /bin/true")
    print("       to exit (reaped as child subreaper, no polling), delete (3 runtime calls).")
    print("Bundle: busybox rootfs, read-only, `runc spec` defaults (pid, net, ipc, uts, mnt")
    print("       namespaces), terminal false; the same config.json for every runtime.")
    print("Peak RSS: `/usr/bin/time -f %M` of `run`, median of separate runs: the largest process")
    print("       of the runtime's tree.")
    if res["wrapper"]:
        print(f"Wrapper: every call of every runtime ran as `{res['wrapper']} RUNTIME ...`")
        print("       (crun refuses hybrid cgroups). Its cost, measured in this run as median")
        print(f"       (wrapper + /bin/true) - median(/bin/true) = {res['wrapper_overhead_ms']:.2f} ms,"
              " is subtracted per runtime call.")
        raw = ", ".join(f"{r['runtime']} {r['run_raw_ms']:.2f}/{r['csd_raw_ms']:.2f}"
                        for r in rows if "run_ms" in r)
        print(f"       Raw medians (run/c+s+d ms): {raw}.")
        print(f"       The wrapper's own peak RSS, a floor for the RSS column: {res['wrapper_rss_kb']} KB.")
    for r in rows:
        if r["error"]:
            print(f"{r['runtime']}: not measured: {r['error']}")
    if base is None:
        print("Ratios are n/a: skiff-runtime was not measured.")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-n", "--runs", type=int, default=50, help="measured runs per runtime (default 50)")
    p.add_argument("--warmup", type=int, default=3, help="unrecorded runs first (default 3)")
    p.add_argument("--rootfs", required=True, help="rootfs directory (rootfs/out/busybox)")
    p.add_argument("--runtime", action="append", metavar="NAME=PATH", default=[],
                   help="a runtime to measure; repeatable; the first named skiff-runtime is the baseline")
    p.add_argument("--json", help="also write the results here")
    opts = p.parse_args()
    if opts.runs < 1:
        p.error("--runs must be at least 1")
    runtimes = []
    for spec in opts.runtime:
        name, _, path = spec.partition("=")
        resolved = shutil.which(path or name)
        if not resolved:
            p.error(f"runtime {spec}: not found")
        runtimes.append((name, resolved))
    if not runtimes:
        p.error("no --runtime given")
    opts.runtimes = runtimes
    return opts


def main() -> None:
    opts = parse_args()
    if os.geteuid() != 0:
        sys.exit("hack/bench/runtime: run as root (containers need it)")
    become_subreaper()
    signal.signal(signal.SIGALRM, _on_alarm)
    work = tempfile.mkdtemp(prefix="skiff-bench-")
    bench = None
    try:
        bench = Bench(opts, work)
        names = ", ".join(f"{rt.name} {rt.version}" for rt in bench.runtimes)
        print(f"measuring {names}: {opts.warmup}+{opts.runs} runs each ...", flush=True)
        res = bench.run()
    finally:
        if bench:
            bench.cleanup()
        shutil.rmtree(work, ignore_errors=True)
    print_table(res)
    if opts.json:
        os.makedirs(os.path.dirname(os.path.abspath(opts.json)), exist_ok=True)
        with open(opts.json, "w") as f:
            json.dump(res, f, indent=2)
        print(f"results: {opts.json}")


if __name__ == "__main__":
    main()
