"""Development infrastructure shared by the tests, the demo and the benchmarks.

Nothing here ships with the integration: it starts real processes (Home Assistant,
mosquitto) on loopback so that end-to-end tests, `scripts/demo` and `scripts/bench` drive
the same parts a user runs.
"""
