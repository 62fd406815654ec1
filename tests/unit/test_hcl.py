"""xacct.hcl: python-hcl2 results do not depend on other threads parsing at the same time."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import hcl2
import pytest

from xacct import hcl

pytestmark = pytest.mark.unit

OPTIONS = hcl2.SerializationOptions(with_comments=False, explicit_blocks=False, strip_string_quotes=False)
TEXT = 'module "parent" {\n  name_prefix = var.name_prefix\n  endpoints   = [local.endpoint]\n  boundary    = null\n}\n' * 20


def test_parses_in_parallel_threads_agree_with_a_parse_alone():
    alone = hcl.loads(TEXT, OPTIONS)
    assert alone["module"][0]['"parent"']["name_prefix"] == "${var.name_prefix}"
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: hcl.loads(TEXT, OPTIONS), range(64)))
    assert all(result == alone for result in results)
