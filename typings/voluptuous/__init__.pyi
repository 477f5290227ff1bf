# Home Assistant 2026.10 replaces voluptuous with probatio at run time
# (homeassistant/__init__.py: probatio.compat.install_as_voluptuous), so
# `import voluptuous as vol` in this integration is probatio. This stub tells mypy the same.
from probatio import *
from probatio.compat import *
