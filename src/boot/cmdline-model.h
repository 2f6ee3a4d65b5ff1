/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
#include "model/model.h"

/* The bonds of a kernel command line (bond=, and ip= for those bonds) as a
 * canonical model; m must be initialised. A bond with an error is left out
 * (diags say why) and the result is -EINVAL; the others are in m. */
int bg_boot_cmdline_model(const char *cmdline, struct bg_model *m, struct bg_diags *d);
