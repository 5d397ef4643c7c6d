import sys

from custtui.cli.launch import main

sys.exit(main())
