"""Small helpers the lab's shell scripts call, reusing the test suite's own daemon code.

``tests/helpers/daemon.py`` is the one place that says how a private test dockerd is started and
how the test image is built; the lab scripts ask it rather than repeat it:

- ``dockerd-args DOCKERD DIR``: print the private dockerd's command line, one argument a line;
- ``image URL``: build the test image on the daemon at URL if it lacks it.

Run from the repository root's Python path (``lab/lib.sh``'s ``lab_python`` sets it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import docker
import docker.errors

from tests.helpers.daemon import TEST_IMAGE, DaemonError, dockerd_command, ensure_test_image


def _dockerd_args(dockerd: str, directory: str) -> int:
    print("\n".join(dockerd_command(dockerd, Path(directory))))
    return 0


def _image(url: str) -> int:
    client = docker.DockerClient(base_url=url, timeout=120)
    try:
        ensure_test_image(client)
    except (DaemonError, docker.errors.DockerException) as error:
        print(f"could not build {TEST_IMAGE} on {url}: {error}", file=sys.stderr)
        return 1
    finally:
        client.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="engine_tool.py", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    args_parser = commands.add_parser("dockerd-args", help="print a private dockerd's arguments")
    args_parser.add_argument("dockerd")
    args_parser.add_argument("directory")
    image_parser = commands.add_parser("image", help="build the test image if missing")
    image_parser.add_argument("url")
    options = parser.parse_args(argv)
    if options.command == "dockerd-args":
        return _dockerd_args(options.dockerd, options.directory)
    return _image(options.url)


if __name__ == "__main__":
    sys.exit(main())
