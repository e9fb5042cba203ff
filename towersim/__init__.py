"""A tower controller simulator: its own process, no Django imports.

`python -m towersim --config tower.json --port N --webhook URL --secret S --speed K`
serves one tower's HTTP/JSON protocol (docs/TOWER_PROTOCOL.md); `python -m towersim.des`
runs the same physics as a discrete-event model for benchmarks.
"""
