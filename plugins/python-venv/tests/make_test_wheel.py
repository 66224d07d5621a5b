#!/usr/bin/env python3
"""Writes a minimal, valid pure-Python wheel, for tests that install packages offline.

    make_test_wheel.py <out_dir> <name> <version> [<module source>]

creates <out_dir>/<name>-<version>-py3-none-any.whl holding one module <name>.py (by default
`VERSION = "<version>"`) and a proper dist-info (METADATA, WHEEL, RECORD with hashes), so that
`pip install --no-index --find-links <out_dir> <name>==<version>` works without a network.
<name> must be a valid module name (letters, digits, underscores). Standard library only.
"""

import base64
import hashlib
import os
import re
import sys
import zipfile


def record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (path, digest, len(data))


def make_wheel(out_dir, name, version, source=None):
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ValueError("name must be a module name: %r" % name)
    if source is None:
        source = 'VERSION = "%s"\n' % version
    dist_info = "%s-%s.dist-info" % (name, version)
    files = [
        ("%s.py" % name, source.encode()),
        (dist_info + "/METADATA",
         ("Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: Rivet test package\n"
          % (name, version)).encode()),
        (dist_info + "/WHEEL",
         b"Wheel-Version: 1.0\nGenerator: rivet-make-test-wheel\nRoot-Is-Purelib: true\n"
         b"Tag: py3-none-any\n"),
    ]
    record = "".join(record_line(path, data) + "\n" for path, data in files)
    record += dist_info + "/RECORD,,\n"
    os.makedirs(out_dir, exist_ok=True)
    wheel = os.path.join(out_dir, "%s-%s-py3-none-any.whl" % (name, version))
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in files:
            archive.writestr(path, data)
        archive.writestr(dist_info + "/RECORD", record)
    return wheel


def main(argv):
    if len(argv) not in (4, 5):
        sys.stderr.write(__doc__)
        return 2
    print(make_wheel(argv[1], argv[2], argv[3], argv[4] if len(argv) == 5 else None))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
