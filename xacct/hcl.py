"""Parse HCL with python-hcl2, one parse at a time and each from a clean state.

python-hcl2 8.1 keeps a `SerializationContext` as the default argument of its serializers
and mutates it while it walks a tree. Two threads parsing at once (the reachability proof
reads two roots in parallel) then corrupt each other's results: expressions come back
without their `${...}` wrapping and `null` as a string. So every parse here holds one lock
and starts from a context of its own.
"""

from __future__ import annotations

import threading

import hcl2
from hcl2.utils import SerializationContext, SerializationOptions

_ONE_AT_A_TIME = threading.Lock()


def loads(text: str, options: SerializationOptions) -> dict:
    """`hcl2.loads(text, serialization_options=options)`, safe to call from several threads."""
    with _ONE_AT_A_TIME:
        return hcl2.parses(text).serialize(options=options, context=SerializationContext())
