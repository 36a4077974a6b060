#!/usr/bin/env python3
"""Pods: skiff-cri against podman, in one run.

  start     time from asking for a pod to its container running: RunPodSandbox, CreateContainer,
            StartContainer over skiff-cri's socket (curl --unix-socket; the image pulled once
            before); podman: `podman pod create` + `podman run -d --pod` (image imported once).
            For 1 pod (median of N) and for 20 pods asked for at once (wall time of all 20, and
            per pod).
  memory    with 50 pods running (each a pause container and one `sleep` container): the
            daemon's VmRSS, and the pods' monitors (skiff-monitor per container, 2 per pod):
            their VmRSS summed per pod, and their private (anonymous) memory per pod, which is
            what each additional monitor really costs (the binary's pages are shared).
Both stacks network their pods through CNI's bridge plugin (skiff: the project's conflist;
podman: its default network) inside a network namespace made for the run. podman runs with
runc (crun refuses this hybrid cgroup host) and a containers.conf whose ulimits fit the VM.
"""
import argparse
import concurrent.futures
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import node
from node import ROOT, private_kb, run, start_registry, status_kb as kb, stop_registry


class Skiff:
    def __init__(self, o, ns, tmp):
        self.o, self.ns, self.tmp = o, ns, tmp
        self.sock = f"{tmp}/skiff/state/cri.sock"
        os.makedirs(f"{tmp}/skiff/cni")
        conf = open(f"{ROOT}/config/cni/10-skiff.conflist").read().replace(
            '"type": "host-local"', f'"type": "host-local", "dataDir": "{tmp}/skiff/ipam"')
        open(f"{tmp}/skiff/cni/10-skiff.conflist", "w").write(conf)
        self.daemon = subprocess.Popen(["nsenter", f"--net=/run/netns/{ns}", o.cri, "--root", f"{tmp}/skiff/root",
                                        "--state", f"{tmp}/skiff/state", "--cni-conf-dir", f"{tmp}/skiff/cni",
                                        "--runtime", o.runtime, "--monitor", o.monitor, "--pause", o.pause,
                                        "--insecure-registry", "127.0.0.1:5000"],
                                       stdout=subprocess.DEVNULL, stderr=open(f"{tmp}/skiff/daemon.log", "w"))
        for _ in range(300):
            if os.path.exists(self.sock):
                break
            time.sleep(0.02)
        self.call("ImageService/PullImage", {"image": {"image": "127.0.0.1:5000/bench/busybox:1"}})
        self.n = 0

    def call(self, rpc, body):
        out = run("curl", "-sf", "--unix-socket", self.sock, "-X", "POST", f"http://skiff/runtime.v1.{rpc}", "-d", json.dumps(body))
        return json.loads(out) if out else {}

    def pod(self, i):
        name = f"bench-{i}"
        config = {"metadata": {"name": name, "namespace": "bench", "uid": f"uid-{i}"}, "hostname": name,
                  "logDirectory": f"{self.tmp}/skiff/logs/{name}"}
        pod = self.call("RuntimeService/RunPodSandbox", {"config": config})["podSandboxId"]
        c = self.call("RuntimeService/CreateContainer", {"podSandboxId": pod, "sandboxConfig": config, "config": {
            "metadata": {"name": "sleep"}, "image": {"image": "127.0.0.1:5000/bench/busybox:1"},
            "command": ["sleep", "3600"], "logPath": "sleep.log"}})["containerId"]
        self.call("RuntimeService/StartContainer", {"containerId": c})
        return pod

    def remove_all(self):
        for p in self.call("RuntimeService/ListPodSandbox", {}).get("items", []):
            self.call("RuntimeService/RemovePodSandbox", {"podSandboxId": p["id"]})

    def memory(self):
        monitors = [int(p) for p in run("pgrep", "-f", f"skiff-monitor --id .*{self.tmp}/").split()]
        self.split = (kb(self.daemon.pid, "RssAnon"), kb(self.daemon.pid, "RssFile"))
        return kb(self.daemon.pid, "VmRSS"), sum(kb(p, "VmRSS") for p in monitors), sum(private_kb(p) for p in monitors), len(monitors)

    def stop(self):
        try:
            self.remove_all()
        finally:
            self.daemon.terminate()
            self.daemon.wait()


class Podman(node.Podman):
    def __init__(self, o, ns, tmp):
        super().__init__(ns, tmp)

    def pod(self, i):
        self.run("pod", "create", "--name", f"bench-{i}")
        self.run("run", "-d", "--pod", f"bench-{i}", self.image, "sleep", "3600")


def timed(f, *a):
    t = time.monotonic()
    f(*a)
    return time.monotonic() - t


def burst(stack, start, count):
    with concurrent.futures.ThreadPoolExecutor(count) as ex:
        t = time.monotonic()
        list(ex.map(stack.pod, range(start, start + count)))
        return time.monotonic() - t


def main():
    p = argparse.ArgumentParser()
    for a in ("--cri", "--monitor", "--pause", "--runtime"):
        p.add_argument(a, required=True)
    p.add_argument("-n", type=int, default=10, help="single-pod starts per stack")
    p.add_argument("--burst", type=int, default=20)
    p.add_argument("--many", type=int, default=50)
    p.add_argument("--json")
    o = p.parse_args()
    ns = f"skiff-bench-{os.getpid()}"
    tmp = tempfile.mkdtemp(prefix="skiff-bench-pods-")
    registry = None
    result = {}
    stacks = {}
    try:
        registry = start_registry(ns, tmp)
        stacks["skiff"] = skiff = Skiff(o, ns, tmp)
        stacks["podman"] = Podman(o, ns, tmp)
        single = {k: [] for k in stacks}
        for i in range(o.n):
            for k, s in stacks.items():
                single[k].append(timed(s.pod, 1000 + i))
                s.remove_all()
        bursts = {}
        for k, s in stacks.items():
            bursts[k] = burst(s, 2000, o.burst)
            s.remove_all()
        burst(skiff, 3000, o.many)
        time.sleep(2)   # settled: the daemon gives freed heap back after 1 s without calls
        daemon, monitors_rss, monitors_private, count = skiff.memory()
        result = {"single": single, "burst": bursts, "daemonKB": daemon, "daemonAnonKB": skiff.split[0],
                  "daemonFileKB": skiff.split[1], "monitorsKB": monitors_rss,
                  "monitorsPrivateKB": monitors_private, "monitors": count}
    finally:
        for stack in stacks.values():   # whatever failed, no pod outlives the run
            try:
                stack.stop()
            except Exception as e:
                print(f"stopping {type(stack).__name__}: {e}", file=sys.stderr)
        stop_registry(registry, ns, tmp)
        shutil.rmtree(tmp, ignore_errors=True)
    s1, p1 = statistics.median(result["single"]["skiff"]), statistics.median(result["single"]["podman"])
    sb, pb = result["burst"]["skiff"], result["burst"]["podman"]
    print(f"\n{'':<34} {'skiff':>10} {'podman':>10} {'skiff/podman':>13}")
    print(f"{'1 pod to running (median of %d)' % o.n:<34} {s1*1000:>7.0f} ms {p1*1000:>7.0f} ms {s1/p1:>12.2f}x")
    print(f"{'%d pods at once, all running' % o.burst:<34} {sb*1000:>7.0f} ms {pb*1000:>7.0f} ms {sb/pb:>12.2f}x")
    print(f"{'  per pod':<34} {sb*1000/o.burst:>7.0f} ms {pb*1000/o.burst:>7.0f} ms")
    pods = o.many
    print(f"\nwith {pods} pods running: skiff-cri {result['daemonKB']/1024:.1f} MB resident "
          f"({result['daemonAnonKB']/1024:.1f} MB anonymous, {result['daemonFileKB']/1024:.1f} MB pages of its binary and libraries); "
          f"{result['monitors']} monitors, {result['monitorsKB']/pods/1024:.2f} MB VmRSS per pod summed, "
          f"{result['monitorsPrivateKB']/pods/1024:.2f} MB private per pod")
    if o.json:
        os.makedirs(os.path.dirname(o.json), exist_ok=True)
        json.dump(result, open(o.json, "w"), indent=1)


if __name__ == "__main__":
    main()
