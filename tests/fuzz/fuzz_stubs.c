// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* Globals of sipguard/main.c needed by profile.c / validator.c when they are
 * linked into a test tool without the CLI. */
int sg_verbose;
