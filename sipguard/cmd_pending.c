// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* Development scaffolding, removed once every command has its file:
 * weak definitions so the CLI links while commands are being written. */
#include "commands.h"
#include "log.h"

#define PENDING(fn)                                                    \
	__attribute__((weak)) int fn(int argc, char **argv)            \
	{                                                              \
		pr_warn("%s: not built yet\n", argv[0]);               \
		return SG_EXIT_FAIL;                                   \
	}
PENDING(cmd_enable)
PENDING(cmd_disable)
PENDING(cmd_status)
PENDING(cmd_stats)
PENDING(cmd_list)
PENDING(cmd_restore)
