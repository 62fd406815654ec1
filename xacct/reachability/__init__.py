"""The reachability proof: who can reach which endpoint through the parent role, intended vs actual.

`python -m xacct.reachability` (or `make reachability`) applies examples/two-accounts and
examples/multi-child on the emulator's three accounts, adds the other principals a real
account would have, tries every principal against every parent role, endpoint and invoke
action with the right, a wrong and no external ID, and compares what succeeded with what
the parent module's inputs intend (`intent.py`). Any difference fails the run.
"""
