from __future__ import annotations

from hasura_perm.cli import main

raise SystemExit(main())
