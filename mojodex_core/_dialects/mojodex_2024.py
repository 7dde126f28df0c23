"""The ``mojodex-2024`` dialect: the Mojodex backend of the specification's time (March 2024).

The specification's routes with two methods swapped (``PUT`` creates a run, ``POST`` submits its inputs), a
new run's inputs filled with their defaults, and a step rejected with an instruction is run again.
"""

from __future__ import annotations

from mojodex_core._dialects._base import Capabilities
from mojodex_core._dialects.spec import SpecDialect


class Mojodex2024Dialect(SpecDialect):
    name = "mojodex-2024"
    can = Capabilities(reject_with_instruction=True, inputs_listed=True)
    create_method, submit_method = "PUT", "POST"
