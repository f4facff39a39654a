"""What build tools print when a compiler fails, read alike by the CI log reader (where a
failure's report starts) and the miners (which of its lines is the error)."""

from __future__ import annotations

import re

# Kotlin's `e: file:///…/A.kt:114:29 Unresolved reference: X` (before 1.9:
# `e: /…/A.kt: (114, 29): …`), javac's
# `A.java:12: error: cannot find symbol`: Gradle's own report below them only says
# "Compilation error. See log for more details".
COMPILER_LINE = re.compile(r"^e: \S+\.kts?(?::\d+|: \(\d+, \d+\))|^\S+\.java:\d+: error: ")
