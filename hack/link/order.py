#!/usr/bin/env python3
"""Which functions skiff-cri runs, for the linker to put them side by side.

A daemon's resident memory is mostly pages of its own binary. The kernel maps a binary's pages
64 KB at a time around each one touched (fault-around), so code that runs now and then, spread
over the whole text, keeps most of it resident. Laid out together, the functions the daemon
runs take a few megabytes.

How they are found: skiff-cri is built with every function of the project and its packages on a
page of its own (-align-all-functions=12), copied to a small ext4 image mounted through a loop
device with readahead off and an empty page cache, so each page the daemon touches is read alone
and nothing maps its neighbours. The daemon runs a node's day in a network namespace made for
the run: a pull from a local registry, pods started, listed, inspected, exec'd into, stopped and
removed. Its page map then says which pages it touched; the functions on them, in address order,
are the ordering file. (The Swift runtime and Foundation come prebuilt, a few functions to a
page: for them the list holds every function on a touched page. The pull's own process runs
from the same copy, so a few of its functions, cached beside the daemon's, are listed too.)
"""
import argparse
import lzma
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "hack", "bench"))
import node  # noqa: E402  (commands, the registry in a network namespace)
import pods  # noqa: E402  (the pods bench's daemon driver)

sh = node.run


class LoopCopy:
    """A copy of the binary on a loop-mounted ext4 image with readahead off and a cold cache."""

    def __init__(self, binary, tmp):
        self.image, self.mnt = f"{tmp}/fs.img", f"{tmp}/mnt"
        os.makedirs(self.mnt)
        with open(self.image, "wb") as f:
            f.truncate(os.path.getsize(binary) + (64 << 20))
        sh("mkfs.ext4", "-q", self.image)
        sh("mount", "-o", "loop", self.image, self.mnt)
        shutil.copy(binary, f"{self.mnt}/skiff-cri")
        sh("umount", self.mnt)          # the copy's pages leave the page cache with the mount
        sh("mount", "-o", "loop", self.image, self.mnt)
        sh("blockdev", "--setra", "0", sh("findmnt", "-no", "SOURCE", self.mnt).strip())
        self.path = f"{self.mnt}/skiff-cri"

    def close(self):
        subprocess.run(["umount", self.mnt], stderr=subprocess.DEVNULL)


def touched_offsets(pid, name):
    """File offsets of the pages of `name` mapped executable in process `pid`."""
    out = []
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/pagemap", "rb") as pagemap:
        for line in maps:
            f = line.split()
            if len(f) < 6 or f[5] != name or "x" not in f[1]:
                continue
            lo, hi = (int(x, 16) for x in f[0].split("-"))
            pagemap.seek(lo // 4096 * 8)
            entries = pagemap.read((hi - lo) // 4096 * 8)
            for i in range(len(entries) // 8):
                if struct.unpack_from("Q", entries, i * 8)[0] >> 63:
                    out.append(int(f[2], 16) + i * 4096)
    return out


def functions_on(binary, offsets):
    """Names of the functions lying on the given file pages, in address order."""
    text = next(l.split() for l in sh("readelf", "-SW", binary).splitlines() if " .text " in l)
    i = text.index(".text")
    va, off = int(text[i + 2], 16), int(text[i + 3], 16)
    pages = {o - off + va for o in offsets}
    names = []
    for line in sh("nm", "-S", "-n", "--defined-only", binary).splitlines():
        p = line.split()
        if len(p) != 4 or p[2] not in "tTwW":
            continue
        a, size = int(p[0], 16), int(p[1], 16)
        if size and any(pg in pages for pg in range(a & ~4095, a + size, 4096)):
            names.append(p[3])
    return list(dict.fromkeys(names))


def workload(skiff, count):
    pods.burst(skiff, 3000, count)
    sandboxes = skiff.call("RuntimeService/ListPodSandbox", {})["items"]
    containers = skiff.call("RuntimeService/ListContainers", {})["containers"]
    pod, ctr = sandboxes[0]["id"], containers[0]["id"]
    for rpc, body in [
            ("RuntimeService/Version", {}), ("RuntimeService/Status", {"verbose": True}),
            ("RuntimeService/RuntimeConfig", {}),
            ("RuntimeService/PodSandboxStatus", {"podSandboxId": pod, "verbose": True}),
            ("RuntimeService/ContainerStatus", {"containerId": ctr, "verbose": True}),
            ("RuntimeService/ListContainers", {"filter": {"podSandboxId": pod}}),
            ("RuntimeService/ListPodSandbox", {"filter": {"state": {"state": "SANDBOX_READY"}}}),
            ("RuntimeService/ContainerStats", {"containerId": ctr}),
            ("RuntimeService/ListContainerStats", {}), ("RuntimeService/ListPodSandboxStats", {}),
            ("RuntimeService/ExecSync", {"containerId": ctr, "cmd": ["echo", "hi"], "timeout": 5}),
            ("RuntimeService/ReopenContainerLog", {"containerId": ctr}),
            ("ImageService/ListImages", {}), ("ImageService/ImageFsInfo", {}),
            ("ImageService/ImageStatus", {"image": {"image": "127.0.0.1:5000/bench/busybox:1"}})]:
        skiff.call(rpc, body)
    for rpc, body in [("RuntimeService/Exec", {"containerId": ctr, "cmd": ["sh"], "stdin": True, "stdout": True}),
                      ("RuntimeService/Attach", {"containerId": ctr, "stdin": True, "stdout": True}),
                      ("RuntimeService/PortForward", {"podSandboxId": pod, "port": [80]}),
                      ("RuntimeService/UpdateContainerResources", {"containerId": ctr, "linux": {"cpuShares": 512}})]:
        try:
            skiff.call(rpc, body)
        except RuntimeError:
            pass   # a refusal (attach without stdin) runs the daemon's code as well
    events = subprocess.Popen(["curl", "-sN", "--max-time", "2", "--unix-socket", skiff.sock, "-X", "POST",
                               "http://skiff/runtime.v1.RuntimeService/GetContainerEvents", "-d", "{}"],
                              stdout=subprocess.DEVNULL)
    for c in containers[1:3]:
        skiff.call("RuntimeService/StopContainer", {"containerId": c["id"], "timeout": 1})
        skiff.call("RuntimeService/ContainerStatus", {"containerId": c["id"]})
        skiff.call("RuntimeService/RemoveContainer", {"containerId": c["id"]})
    events.wait()
    for s in sandboxes[: count // 2]:
        skiff.call("RuntimeService/StopPodSandbox", {"podSandboxId": s["id"]})
        skiff.call("RuntimeService/RemovePodSandbox", {"podSandboxId": s["id"]})
    time.sleep(2)   # the idle heap trim


def main():
    p = argparse.ArgumentParser()
    for a in ("--cri", "--monitor", "--pause", "--runtime", "--out"):
        p.add_argument(a, required=True)
    p.add_argument("--pods", type=int, default=20)
    o = p.parse_args()
    binary = o.cri
    ns = f"skiff-order-{os.getpid()}"
    tmp = tempfile.mkdtemp(prefix="skiff-order-")
    registry, copy, skiff = None, None, None
    try:
        copy = LoopCopy(binary, tmp)
        o.cri = copy.path
        registry = node.start_registry(ns, tmp)
        skiff = pods.Skiff(o, ns, tmp)
        workload(skiff, o.pods)
        offsets = touched_offsets(skiff.daemon.pid, copy.path)
    finally:
        if skiff:
            skiff.stop()
        node.stop_registry(registry, ns, tmp)
        if copy:
            copy.close()
        shutil.rmtree(tmp, ignore_errors=True)
    names = functions_on(binary, offsets)
    with lzma.open(o.out, "wt", preset=9) as f:
        f.write("\n".join(names) + "\n")
    print(f"{len(offsets) * 4 / 1024:.1f} MB of code touched; {len(names)} functions -> {o.out}")


if __name__ == "__main__":
    main()
