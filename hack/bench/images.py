#!/usr/bin/env python3
"""Pull + unpack of one multi-layer image from a docker-registry on loopback, three ways:

  skiff   skiff-cri's PullImage over its socket (curl --unix-socket): manifest, config and layers
          fetched 3 at a time, each layer unpacked into its overlay snapshot as it arrives.
          Memory: the daemon's VmHWM after the pull (its whole life: start-up and one pull) plus
          the VmHWM of the short-lived process it fetches in (`skiff-cri fetch-image`, sampled
          every 5 ms while the pull runs; the sum counts the pages of the binary they share
          twice, so it is an upper bound), and the daemon's VmRSS before the pull for reference.
  podman  `podman pull` into a fresh --root (overlay storage): fetch, and unpack into layers.
  skopeo+umoci  `skopeo copy docker://... oci:DIR` then `umoci unpack` into a bundle (the two
          steps of the classic OCI toolchain). Time is the sum; memory the larger peak.
Peak memory of podman/skopeo/umoci is /usr/bin/time's %M. Every tool starts from an empty store
each time (nothing cached), interleaved tool by tool. The registry, the daemon and the tools run
in a network namespace made for the run (traffic on its loopback only).
The image: the busybox test image's layer plus LAYERS generated layers (hack/bench/mkmultilayer.py).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from node import REGISTRY, run as sh, start_registry, status_kb, stop_registry  # noqa: E402


class Bench:
    def __init__(self, opts):
        self.o = opts
        self.fetch_peaks = []
        self.ns = f"skiff-bench-{os.getpid()}"
        self.tmp = tempfile.mkdtemp(prefix="skiff-bench-images-")
        self.reg = REGISTRY
        self.image = f"{self.reg}/bench/multi:1"
        self.registry = None

    def netns(self, *args):
        return ["nsenter", f"--net=/run/netns/{self.ns}", *args]

    def setup(self):
        layout = os.path.join(self.tmp, "multi-oci")
        sh(sys.executable, os.path.join(HERE, "mkmultilayer.py"), self.o.base, layout, str(self.o.layers), str(self.o.mb))
        self.registry = start_registry(self.ns, self.tmp, layout=layout, image=self.image)
        size = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(layout) for f in fs)
        return size

    def cleanup(self):
        stop_registry(self.registry, self.ns, self.tmp)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def timed(self, *args):
        """Runs a command under /usr/bin/time: (seconds, peak KB)."""
        out = os.path.join(self.tmp, "time.out")
        start = time.monotonic()
        r = subprocess.run(["/usr/bin/time", "-o", out, "-f", "%M", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(args)}: exit {r.returncode}: {r.stderr.strip()[-2000:]}")
        elapsed = time.monotonic() - start
        return elapsed, int(open(out).read().split()[-1])

    def skiff(self):
        d = tempfile.mkdtemp(dir=self.tmp, prefix="skiff-")
        sock = f"{d}/state/cri.sock"
        os.makedirs(f"{d}/cni")
        daemon = subprocess.Popen(self.netns(self.o.cri, "--root", f"{d}/root", "--state", f"{d}/state", "--cni-conf-dir", f"{d}/cni",
                                             "--runtime", self.o.runtime, "--monitor", self.o.monitor, "--pause", self.o.pause,
                                             "--insecure-registry", self.reg), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(200):
                if os.path.exists(sock):
                    break
                time.sleep(0.02)
            pid = daemon.pid   # nsenter execs the daemon: same process
            before = status_kb(pid, "VmRSS")
            start = time.monotonic()
            pull = subprocess.Popen(["curl", "-sf", "--unix-socket", sock, "-X", "POST", "http://skiff/runtime.v1.ImageService/PullImage",
                                     "-d", json.dumps({"image": {"image": self.image}})], stdout=subprocess.PIPE, text=True)
            fetch_peak = 0
            while pull.poll() is None:
                for child in children(pid):
                    fetch_peak = max(fetch_peak, status_kb(child, "VmHWM"))
                time.sleep(0.005)
            elapsed = time.monotonic() - start
            if pull.returncode != 0:
                raise RuntimeError(f"skiff pull failed: {pull.stdout.read()}")
            self.fetch_peaks.append(fetch_peak)
            return elapsed, status_kb(pid, "VmHWM") + fetch_peak, before
        finally:
            daemon.terminate()
            daemon.wait()
            shutil.rmtree(d, ignore_errors=True)

    def podman(self):
        d = tempfile.mkdtemp(prefix="pb-")   # podman wants a runroot under 50 characters
        try:
            return self.timed(*self.netns("podman", "--root", f"{d}/root", "--runroot", f"{d}/run", "--storage-driver", "overlay",
                                          "pull", "-q", "--tls-verify=false", self.image))
        finally:
            subprocess.run(["podman", "--root", f"{d}/root", "--runroot", f"{d}/run", "--storage-driver", "overlay", "system", "reset", "-f"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            shutil.rmtree(d, ignore_errors=True)

    def skopeo_umoci(self):
        d = tempfile.mkdtemp(dir=self.tmp, prefix="umoci-")
        try:
            t1, m1 = self.timed(*self.netns("skopeo", "copy", "--quiet", "--src-tls-verify=false", f"docker://{self.image}", f"oci:{d}/layout:1"))
            t2, m2 = self.timed("umoci", "unpack", "--image", f"{d}/layout:1", f"{d}/bundle")
            return t1 + t2, max(m1, m2)
        finally:
            shutil.rmtree(d, ignore_errors=True)


def children(pid):
    """The process's children, whichever of its threads started them."""
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(c) for c in f.read().split()]
        except FileNotFoundError:
            pass
    return found


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cri", required=True)
    p.add_argument("--monitor", required=True)
    p.add_argument("--pause", required=True)
    p.add_argument("--runtime", required=True)
    p.add_argument("--base", required=True)
    p.add_argument("--json")
    p.add_argument("-n", type=int, default=7)
    p.add_argument("--layers", type=int, default=5)
    p.add_argument("--mb", type=int, default=16, help="MB per generated layer, half incompressible")
    o = p.parse_args()
    b = Bench(o)
    try:
        size = b.setup()
        res = {"skiff": [], "podman": [], "skopeo+umoci": []}
        rss_before = []
        for _ in range(o.n):
            t, m, before = b.skiff()
            res["skiff"].append((t, m))
            rss_before.append(before)
            res["podman"].append(b.podman())
            res["skopeo+umoci"].append(b.skopeo_umoci())
    finally:
        b.cleanup()
    med = {k: (statistics.median(t for t, _ in v), statistics.median(m for _, m in v)) for k, v in res.items()}
    st, sm = med["skiff"]
    print(f"\nimage: {o.layers + 1} layers, {size / 1e6:.1f} MB in the registry; {o.n} pulls each, medians")
    print(f"{'tool':<14} {'pull+unpack':>12} {'vs skiff':>9} {'peak RSS':>10} {'vs skiff':>9}")
    for k, (t, m) in med.items():
        print(f"{k:<14} {t * 1000:>9.0f} ms {t / st:>8.2f}x {m / 1024:>7.1f} MB {m / sm:>8.2f}x")
    print(f"(skiff's peak: the daemon's VmHWM plus its fetch process's, {statistics.median(b.fetch_peaks) / 1024:.1f} MB; "
          f"the daemon's VmRSS before the pull: {statistics.median(rss_before) / 1024:.1f} MB)")
    if o.json:
        os.makedirs(os.path.dirname(o.json), exist_ok=True)
        with open(o.json, "w") as f:
            json.dump({"runs": res, "medians": med, "imageBytes": size}, f, indent=1)


if __name__ == "__main__":
    main()
