#!/usr/bin/env python3
"""Packs a rootfs directory as a plain tar and as an OCI image layout (image-spec v1.0).

usage: mkimage.py ROOTFS_DIR OUT_TAR OUT_OCI_DIR

Output is reproducible: entries sorted, numeric owners only, mtimes taken from the files
(rootfs/build pins them to SOURCE_DATE_EPOCH), gzip header mtime 0. Python's tarfile is
used rather than GNU tar so that entry names carry no "./" prefix and no pax atime/ctime.
"""
import gzip
import hashlib
import json
import os
import shutil
import sys
import tarfile


def add_tree(tar: tarfile.TarFile, root: str) -> None:
    # os.walk does not follow symlinks to directories: they are added as symlinks.
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            path = os.path.join(dirpath, name)
            info = tar.gettarinfo(path, arcname=os.path.relpath(path, root))
            info.uname = info.gname = ""
            if info.isfile():
                with open(path, "rb") as f:
                    tar.addfile(info, f)
            else:
                tar.addfile(info)


def write_tar(root: str, out_tar: str) -> None:
    with tarfile.open(out_tar, "w", format=tarfile.GNU_FORMAT) as tar:
        add_tree(tar, root)


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class Blobs:
    """The layout's blobs/sha256 directory."""

    def __init__(self, layout: str):
        self.dir = os.path.join(layout, "blobs", "sha256")
        os.makedirs(self.dir, exist_ok=True)

    def put_file(self, path: str) -> dict:
        digest = sha256_file(path)
        size = os.path.getsize(path)
        shutil.move(path, os.path.join(self.dir, digest))
        return {"digest": "sha256:" + digest, "size": size}

    def put_json(self, obj: dict) -> dict:
        data = json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()
        digest = hashlib.sha256(data).hexdigest()
        with open(os.path.join(self.dir, digest), "wb") as f:
            f.write(data)
        return {"digest": "sha256:" + digest, "size": len(data)}


def write_oci_layout(layer_tar: str, layout: str, created: str) -> None:
    os.makedirs(layout, exist_ok=True)
    blobs = Blobs(layout)

    gz_path = os.path.join(layout, "layer.tar.gz.tmp")
    with open(layer_tar, "rb") as src, open(gz_path, "wb") as raw:
        # filename="" and mtime=0 keep the gzip header free of build-time details.
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
            shutil.copyfileobj(src, gz)
    layer = blobs.put_file(gz_path)
    layer["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip"

    config = blobs.put_json({
        "created": created,
        "architecture": "amd64",
        "os": "linux",
        "config": {
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            "Cmd": ["sh"],
            "WorkingDir": "/",
        },
        # diff_ids name the uncompressed layer.
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + sha256_file(layer_tar)]},
        "history": [{"created": created, "created_by": "skiff rootfs/build (busybox-static)"}],
    })
    config["mediaType"] = "application/vnd.oci.image.config.v1+json"

    manifest = blobs.put_json({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": config,
        "layers": [layer],
    })
    manifest["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
    manifest["platform"] = {"architecture": "amd64", "os": "linux"}
    manifest["annotations"] = {"org.opencontainers.image.ref.name": "latest"}

    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2,
                   "mediaType": "application/vnd.oci.image.index.v1+json",
                   "manifests": [manifest]}, f, indent=2, sort_keys=True)
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)


def main() -> None:
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    root, out_tar, layout = sys.argv[1:]
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    import datetime
    created = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    write_tar(root, out_tar)
    write_oci_layout(out_tar, layout, created)


if __name__ == "__main__":
    main()
