import sys

from custtui.cli.main import main

sys.exit(main())
