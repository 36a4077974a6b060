#!/usr/bin/env python3
"""Makes a multi-layer OCI image layout for hack/bench/images: the busybox test image's layer
as the base, then LAYERS layers of generated files (many small ones and one large, random and
so incompressible, as real application layers mix).

usage: mkmultilayer.py BASE_OCI_LAYOUT OUT_LAYOUT [LAYERS] [MB_PER_LAYER]
"""
import gzip
import hashlib
import io
import json
import os
import random
import shutil
import sys
import tarfile


def blob(layout: str, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(layout, "blobs", "sha256", digest), "wb") as f:
        f.write(data)
    return "sha256:" + digest


def read_blob(layout: str, digest: str) -> bytes:
    with open(os.path.join(layout, "blobs", "sha256", digest.split(":", 1)[1]), "rb") as f:
        return f.read()


def layer(index: int, megabytes: int) -> bytes:
    rng = random.Random(index)
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
        def add(name: str, data: bytes) -> None:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o644, 946684800
            tar.addfile(info, io.BytesIO(data))
        dirinfo = tarfile.TarInfo(f"data/{index}")
        dirinfo.type, dirinfo.mode, dirinfo.mtime = tarfile.DIRTYPE, 0o755, 946684800
        tar.addfile(dirinfo)
        small = megabytes * 1024 * 1024 // 2
        for n in range(small // 8192):
            add(f"data/{index}/file-{n:05d}.txt", (f"layer {index} file {n}\n" * 400).encode()[:8192])
        add(f"data/{index}/blob.bin", rng.randbytes(megabytes * 1024 * 1024 - small))
    return gzip.compress(raw.getvalue(), compresslevel=6, mtime=0), hashlib.sha256(raw.getvalue()).hexdigest()


def main() -> None:
    base, out = sys.argv[1], sys.argv[2]
    layers = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    megabytes = int(sys.argv[4]) if len(sys.argv) > 4 else 8
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(base, out)
    index = json.loads(open(os.path.join(out, "index.json")).read())
    manifest = json.loads(read_blob(out, index["manifests"][0]["digest"]))
    config = json.loads(read_blob(out, manifest["config"]["digest"]))
    for i in range(layers):
        compressed, diff_id = layer(i, megabytes)
        manifest["layers"].append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                                   "digest": blob(out, compressed), "size": len(compressed)})
        config["rootfs"]["diff_ids"].append("sha256:" + diff_id)
    config_bytes = json.dumps(config, sort_keys=True).encode()
    manifest["config"] = {"mediaType": "application/vnd.oci.image.config.v1+json",
                          "digest": blob(out, config_bytes), "size": len(config_bytes)}
    manifest_bytes = json.dumps(manifest, sort_keys=True).encode()
    entry = dict(index["manifests"][0], digest=blob(out, manifest_bytes), size=len(manifest_bytes))
    index["manifests"] = [entry]
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump(index, f)


if __name__ == "__main__":
    main()
