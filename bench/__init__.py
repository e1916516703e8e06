"""Load and scale harness (not tests): `make bench` or `python -m bench sweep --tickets 100000`."""
