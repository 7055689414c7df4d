# SPDX-License-Identifier: Apache-2.0
"""dynamo-cache `helm test`: write a file on the mounted cache, fsync it, read it back
past the page cache, delete it, and print write and read MB/s next to what the planner
expects for this storage. Exit 1 on an I/O error, a short read, or a read slower than
MIN_READ_MBPS (when set). Environment: MOUNT, CACHE, SIZE_MB, MIN_READ_MBPS, EXPECTED."""

import os
import sys
import time

BLOCK = 4 << 20


def main() -> int:
    mount, cache = os.environ["MOUNT"], os.environ["CACHE"]
    size = int(os.environ["SIZE_MB"]) * 1000 * 1000
    minimum = float(os.environ.get("MIN_READ_MBPS") or 0)
    folder = os.path.join(mount, ".dynamo-cache-test")
    path = os.path.join(folder, os.environ.get("HOSTNAME", "test"))
    data = os.urandom(BLOCK)
    try:
        os.makedirs(folder, exist_ok=True)
        start = time.monotonic()
        with open(path, "wb") as handle:
            written = 0
            while written < size:
                written += handle.write(data[: min(BLOCK, size - written)])
            handle.flush()
            os.fsync(handle.fileno())
        write_mbps = size / (time.monotonic() - start) / 1e6
        fd = os.open(path, os.O_RDONLY)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)  # read from the storage, not the page cache
        os.close(fd)
        start = time.monotonic()
        read = 0
        with open(path, "rb", buffering=0) as handle:
            while chunk := handle.read(BLOCK):
                read += len(chunk)
        read_mbps = read / (time.monotonic() - start) / 1e6
    except OSError as exc:
        print(f"cache-test {cache}: FAILED: {exc}", flush=True)
        return 1
    finally:
        try:
            os.remove(path)
        except OSError:
            pass
    if read != size:
        print(f"cache-test {cache}: FAILED: read {read} of {size} bytes back", flush=True)
        return 1
    expected = os.environ.get("EXPECTED") or "no figure for this storage (gen-values plan)"
    print(
        f"cache-test {cache}: wrote {size // 1000000} MB at {write_mbps:,.0f} MB/s, read it back at "
        f"{read_mbps:,.0f} MB/s; planner: {expected}",
        flush=True,
    )
    if minimum and read_mbps < minimum:
        print(f"cache-test {cache}: FAILED: read {read_mbps:,.0f} MB/s < tests.minReadMBps {minimum:,.0f}", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
