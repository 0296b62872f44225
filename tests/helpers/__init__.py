"""Helpers shared by the tests: a private Docker daemon, the test image, veth parents."""
