"""The hostile-snippet catalogue: what a learner's code may try, and the verdict each must get.

Stdlib only, like the modules it joins: the suite also runs it as an ordinary user through
/usr/bin/python3 (tests/hostile/ordinary_user.py), where pytest is not installed.
"""

from __future__ import annotations

from tests.hostile.escapes import ESCAPES
from tests.hostile.resources import RESOURCES
from tests.hostile.snippets import Hostile
from tests.hostile.verdicts import VERDICTS

CATALOGUE: list[Hostile] = RESOURCES + ESCAPES + VERDICTS
