"""The included decode loop: a re-export of ``xgrammar.integrations.decode_loop``.

The code lives inside the package (xgrammar/integrations/) so that ``pip install`` ships it;
this file exists so that the repository's integrations/ folder leads to it. Use
``from xgrammar.integrations import generate`` in code.
"""

from xgrammar.integrations.decode_loop import *  # noqa: F403
from xgrammar.integrations.decode_loop import __all__  # noqa: F401
